package io.ferry.http.syntax;

/**
 * The browsers nginx recognises in User-Agent to work around their bugs (ngx_http_process_user_agent):
 * gzip_disable msie6 and keepalive_disable msie6/safari ask the same tests, so they agree.
 */
public final class UserAgent {
    private UserAgent() {
    }

    /**
     * "MSIE 4." to "MSIE 6." with at least two bytes after the dot, except 6.0 builds with SV1 (XP SP2),
     * which fixed the bugs, and Opera, which only poses as MSIE.
     */
    public static boolean msie6(String agent) {
        int at = msie(agent);
        if (at < 0 || agent.charAt(at + 6) != '.') {
            return false;
        }
        char major = agent.charAt(at + 5);
        return major == '4' || major == '5' || major == '6' && agent.indexOf("SV1", at + 8) < 0;
    }

    /**
     * Safari on macOS (and WebKit browsers that say so) but not one that also names MSIE, Opera, Gecko
     * or Chrome: nginx tests those first, and a match there is not Safari.
     */
    public static boolean safari(String agent) {
        return msie(agent) < 0 && !agent.contains("Opera") && !agent.contains("Gecko/") && !agent.contains("Chrome/")
                && agent.contains("Safari/") && agent.contains("Mac OS X");
    }

    /** Where "MSIE " starts when at least three bytes follow it and the agent is not Opera, else -1. */
    private static int msie(String agent) {
        int at = agent.indexOf("MSIE ");
        return at < 0 || at + 7 >= agent.length() || agent.contains("Opera") ? -1 : at;
    }
}
