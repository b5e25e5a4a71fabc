package io.ferry.http.syntax;

import java.util.Locale;

/**
 * nginx's ngx_http_validate_host, as of 1.29.4: the host a request names (Host header or the
 * authority of an absolute target) becomes $host and picks the server, so it is kept lower case,
 * without its port and one trailing dot, and refused (400) when it could name a path ('/', '\\',
 * "..") or carries bytes no host has. An IP literal must close its bracket and be followed only by
 * a port; a port is at most 65535 and digits only.
 */
public final class RequestHost {
    private RequestHost() {
    }

    /** The normalized host of a Host header value, or null when nginx answers 400. */
    public static String of(String raw) {
        return normalize(raw, false);
    }

    /**
     * The normalized host of an absolute request target's authority, or null when nginx answers
     * 400. nginx's request-line parser admits fewer bytes than a Host header: a name is letters,
     * digits, '.' and '-'; an IP literal, RFC 3986's unreserved and sub-delims and ':'.
     */
    public static String ofRequestLine(String raw) {
        return normalize(raw, true);
    }

    private static String normalize(String raw, boolean requestLine) {
        if (raw == null) {
            return null;
        }
        int hostEnd;
        if (raw.startsWith("[")) {
            hostEnd = raw.indexOf(']') + 1;
            if (hostEnd == 0) {
                return null;
            }
        } else {
            int colon = raw.indexOf(':');
            hostEnd = colon < 0 ? raw.length() : colon;
        }
        String name = raw.substring(0, hostEnd);
        if (!validPort(raw.substring(hostEnd)) || name.contains("..")) {
            return null;
        }
        boolean literal = name.startsWith("[");
        for (int i = literal ? 1 : 0; i < name.length() - (literal ? 1 : 0); i++) {
            if (!allowed(name.charAt(i), literal, requestLine)) {
                return null;
            }
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return name.isEmpty() ? null : name.toLowerCase(Locale.ROOT);
    }

    private static boolean validPort(String rest) {
        if (rest.isEmpty() || rest.equals(":")) {
            return true;
        }
        if (rest.charAt(0) != ':' || rest.length() > 6) {
            return false;
        }
        for (int i = 1; i < rest.length(); i++) {
            if (rest.charAt(i) < '0' || rest.charAt(i) > '9') {
                return false;
            }
        }
        return Integer.parseInt(rest.substring(1)) <= 65535;
    }

    private static boolean allowed(char c, boolean literal, boolean requestLine) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
            return true;
        }
        if (literal) {
            return ":_~!$&'()*+,;=".indexOf(c) >= 0;
        }
        return !requestLine && c > ' ' && c != 0x7f && c != '/' && c != '\\' && c != '[' && c != ']';
    }
}
