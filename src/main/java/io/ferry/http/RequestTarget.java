package io.ferry.http;

import io.ferry.http.syntax.RequestHost;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The request target split into the raw form, the decoded and normalized path ($uri), and the
 * query ($args). Normalization happens before location matching so that "%2e%2e", "//" and "/./"
 * cannot reach a location or a file the plain spelling would not.
 */
public record RequestTarget(String raw, String path, String query, String absoluteHost) {

    /** Returns null when the target is invalid (nginx answers 400). */
    public static RequestTarget parse(String raw) {
        return parse(raw, true);
    }

    /** {@code mergeSlashes}: nginx's merge_slashes, whether "//" in the path counts as one "/". */
    public static RequestTarget parse(String raw, boolean mergeSlashes) {
        String absoluteHost = null;
        String rest = raw;
        int scheme = raw.indexOf("://");
        if (!raw.startsWith("/") && scheme > 0 && raw.substring(0, scheme).matches("(?i)https?")) {
            int pathStart = raw.indexOf('/', scheme + 3);
            int end = pathStart < 0 ? raw.length() : pathStart;
            for (char delimiter : new char[] {'?', '#'}) {
                int at = raw.indexOf(delimiter, scheme + 3);
                if (at >= 0 && at < end) {
                    end = at;
                }
            }
            absoluteHost = raw.substring(scheme + 3, end);
            rest = end == pathStart ? raw.substring(end) : "/" + raw.substring(end);
            if (RequestHost.ofRequestLine(absoluteHost) == null) {
                return null;
            }
        }
        if (!rest.startsWith("/")) {
            return null;
        }
        int fragment = rest.indexOf('#');
        if (fragment >= 0) {
            // a fragment is the client's own: nginx cuts it from both $uri and $args
            rest = rest.substring(0, fragment);
        }
        int q = rest.indexOf('?');
        String rawPath = q < 0 ? rest : rest.substring(0, q);
        String query = q < 0 ? null : rest.substring(q + 1);
        String decoded = decode(rawPath);
        if (decoded == null) {
            return null;
        }
        String normalized = normalize(decoded, mergeSlashes);
        return normalized == null ? null : new RequestTarget(raw, normalized, query, absoluteHost);
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s.indexOf('\0') >= 0 ? null : s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Resolves "." and ".." and, when {@code mergeSlashes}, merges runs of "/"; otherwise an empty
     * segment is a segment, which ".." removes as any other. A ".." above the root makes the
     * target invalid.
     */
    static String normalize(String path, boolean mergeSlashes) {
        Deque<String> segments = new ArrayDeque<>();
        String[] tokens = path.substring(1).split("/", -1);
        boolean trailingSlash = false;
        for (int i = 0; i < tokens.length; i++) {
            String seg = tokens[i];
            boolean last = i == tokens.length - 1;
            if (seg.equals(".") || seg.equals("..") || (seg.isEmpty() && (mergeSlashes || last))) {
                trailingSlash = last;
                if (seg.equals("..")) {
                    if (segments.isEmpty()) {
                        return null;
                    }
                    segments.removeLast();
                }
                continue;
            }
            segments.addLast(seg);
        }
        StringBuilder out = new StringBuilder();
        for (String seg : segments) {
            out.append('/').append(seg);
        }
        if (out.length() == 0 || trailingSlash) {
            out.append('/');
        }
        return out.toString();
    }

    /** Re-escapes a decoded path the way nginx's ngx_escape_uri does for a URI. */
    public static String escape(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '#' || c == '%' || c == '?' || c == '<' || c == '>'
                    || c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' || c == '}') {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }
}
