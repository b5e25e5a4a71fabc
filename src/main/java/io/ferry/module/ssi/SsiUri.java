package io.ferry.module.ssi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** An include's URI as nginx reads it: relative to the document's directory, unescaped, checked. */
final class SsiUri {
    private SsiUri() {
    }

    /** A URI not starting with "/" is relative to the directory of the request's own URI (nginx's ADD_PREFIX). */
    static String resolve(String own, String uri) {
        if (uri.startsWith("/")) {
            return uri;
        }
        return own.substring(0, own.lastIndexOf('/') + 1) + uri;
    }

    /**
     * ngx_http_parse_unsafe_uri's unescaping, done once the arguments are split off at a literal
     * "?": an escaped "?" is part of the path; a "%" not followed by two hex digits stays as it is.
     */
    static String unescape(String uri) {
        byte[] raw = uri.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            int hi = i + 2 < raw.length && raw[i] == '%' ? Character.digit(raw[i + 1], 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(raw[i + 2], 16);
            if (lo < 0) {
                out.write(raw[i]);
            } else {
                out.write(hi << 4 | lo);
                i += 2;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** ngx_http_parse_unsafe_uri: no ".." segment and no NUL may leave the server's URI space. */
    static boolean unsafe(String uri) {
        return uri.indexOf('\0') >= 0 || uri.equals("..") || uri.startsWith("../") || uri.contains("/../")
                || uri.endsWith("/..");
    }
}
