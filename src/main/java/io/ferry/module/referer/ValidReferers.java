package io.ferry.module.referer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The referers one level's valid_referers accepts, and nginx's verdict on a Referer value
 * (ngx_http_referer_variable): the host after "http://" or "https://" is looked up exactly, then
 * as "*.suffix" / ".suffix", then as "prefix.*" (the most specific wildcard wins); a host found
 * with a URI part needs the Referer's path to start with it (case-sensitive). Failing those, the
 * server_name regexes run on the lower-cased host and the {@code ~regex} entries on everything
 * after the scheme.
 */
final class ValidReferers {
    /** nginx's buffer for the host: a longer one is never valid, whatever the regexes say. */
    static final int MAX_HOST = 256;

    /** Host (lower case) → the URI prefix it needs, "" for any. */
    private final Map<String, String> exact;
    /** "example.com" for *.example.com and .example.com → URI prefix. */
    private final Map<String, String> head;
    /** "www.example" for www.example.* → URI prefix. */
    private final Map<String, String> tail;
    private final List<Pattern> serverNameRegexes;
    private final List<Pattern> regexes;
    private final boolean none;
    private final boolean blocked;

    private ValidReferers(Builder b) {
        exact = Map.copyOf(b.exact);
        head = Map.copyOf(b.head);
        tail = Map.copyOf(b.tail);
        serverNameRegexes = List.copyOf(b.serverNameRegexes);
        regexes = List.copyOf(b.regexes);
        none = b.none;
        blocked = b.blocked;
    }

    /** Whether a request whose (first) Referer header is {@code referer}, null when absent, is valid. */
    boolean valid(String referer) {
        if (referer == null) {
            return none;
        }
        int start = -1;
        if (referer.length() >= "http://i.ru".length()) {
            if (referer.regionMatches(true, 0, "http://", 0, 7)) {
                start = 7;
            } else if (referer.regionMatches(true, 0, "https://", 0, 8)) {
                start = 8;
            }
        }
        if (start < 0) {
            return blocked;
        }
        int end = start;
        while (end < referer.length() && referer.charAt(end) != '/' && referer.charAt(end) != ':') {
            if (end - start == MAX_HOST) {
                return false;
            }
            end++;
        }
        String host = lowerAscii(referer.substring(start, end));
        String uri = find(host);
        if (uri != null) {
            int slash = referer.indexOf('/', end);
            return uri.isEmpty() || slash >= 0 && referer.startsWith(uri, slash);
        }
        for (Pattern p : serverNameRegexes) {
            if (p.matcher(host).find()) {
                return true;
            }
        }
        String rest = referer.substring(start);
        for (Pattern p : regexes) {
            if (p.matcher(rest).find()) {
                return true;
            }
        }
        return false;
    }

    /** The URI prefix of the entry the host matches, or null (nginx's ngx_hash_find_combined). */
    private String find(String host) {
        String uri = exact.get(host);
        if (uri != null) {
            return uri;
        }
        for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
            uri = head.get(host.substring(dot + 1));
            if (uri != null) {
                return uri;
            }
        }
        for (int dot = host.lastIndexOf('.'); dot > 0; dot = host.lastIndexOf('.', dot - 1)) {
            uri = tail.get(host.substring(0, dot));
            if (uri != null) {
                return uri;
            }
        }
        return null;
    }

    /** nginx's ngx_tolower: ASCII letters only, as header bytes are compared. */
    static String lowerAscii(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            if (c[i] >= 'A' && c[i] <= 'Z') {
                c[i] += 'a' - 'A';
            }
        }
        return new String(c);
    }

    /** Collects one level's entries with nginx's checks; its errors carry nginx's message. */
    static final class Builder {
        private final Map<String, String> exact = new HashMap<>();
        private final Map<String, String> head = new HashMap<>();
        private final Map<String, String> tail = new HashMap<>();
        private final List<Pattern> serverNameRegexes = new ArrayList<>();
        private final List<Pattern> regexes = new ArrayList<>();
        private boolean none;
        private boolean blocked;

        void none() {
            none = true;
        }

        void blocked() {
            blocked = true;
        }

        boolean noneOrBlocked() {
            return none || blocked;
        }

        /** Whether a host entry (exact or wildcard) was added: "none" and "blocked" need one. */
        boolean hasHosts() {
            return !exact.isEmpty() || !head.isEmpty() || !tail.isEmpty();
        }

        /**
         * A host, "*.suffix", ".suffix" or "prefix.*", optionally followed by a URI prefix from its
         * first '/' on (nginx's ngx_hash_add_key with NGX_HASH_WILDCARD_KEY).
         *
         * @throws IllegalArgumentException with nginx's message for a bad wildcard or a repeated host
         */
        void host(String entry) {
            int slash = entry.indexOf('/');
            String name = slash < 0 ? entry : entry.substring(0, slash);
            String uri = slash < 0 ? "" : entry.substring(slash);
            int stars = 0;
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c == '*' && ++stars > 1 || c == '.' && i + 1 < name.length() && name.charAt(i + 1) == '.' || c == '\0') {
                    throw invalid(name);
                }
            }
            String lower = lowerAscii(name);
            if (lower.length() > 1 && lower.charAt(0) == '.') {
                add(exact, lower.substring(1), uri, name);
                add(head, lower.substring(1), uri, name);
            } else if (lower.length() > 2 && lower.startsWith("*.")) {
                add(head, lower.substring(2), uri, name);
            } else if (lower.length() > 2 && lower.endsWith(".*")) {
                add(tail, lower.substring(0, lower.length() - 2), uri, name);
            } else if (stars > 0) {
                throw invalid(name);
            } else {
                add(exact, lower, uri, name);
            }
        }

        private static void add(Map<String, String> keys, String key, String uri, String name) {
            if (keys.putIfAbsent(key, uri) != null) {
                throw new IllegalArgumentException("conflicting parameter \"" + name + "\"");
            }
        }

        private static IllegalArgumentException invalid(String name) {
            return new IllegalArgumentException("invalid hostname or wildcard \"" + name + "\"");
        }

        /** A {@code ~regex} entry, matched case-insensitively on what follows the scheme. */
        void regex(Pattern p) {
            regexes.add(p);
        }

        /** A server_name regex, matched on the lower-cased host. */
        void serverNameRegex(Pattern p) {
            serverNameRegexes.add(p);
        }

        ValidReferers build() {
            return new ValidReferers(this);
        }
    }
}
