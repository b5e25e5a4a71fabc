package io.ferry.module.securelink;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The checks of nginx's ngx_http_secure_link_module, free of requests: the hash of the
 * "hash[,expires]" form against an MD5 of secure_link_md5's value, its expiry time, and the older
 * "/prefix/md5hex/link" form against an MD5 of the link and secure_link_secret.
 */
final class SecureLinks {
    private SecureLinks() {
    }

    /**
     * Whether secure_link's hash part, base64url of at most 24 characters, spells the MD5 of
     * secure_link_md5's value; compared in constant time.
     */
    static boolean matches(String hash, String md5Input) {
        byte[] given = hash.length() > 24 ? null : decodeBase64Url(hash);
        return given != null && given.length == 16
                && MessageDigest.isEqual(given, md5(md5Input.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * secure_link_secret's form on the request line's target: after the first character, a segment up
     * to '/', then exactly 32 hex digits up to '/', then a non-empty link (the query string included)
     * whose MD5 with the secret appended they must spell. The link is $secure_link, or null.
     */
    static String old(String requestUri, String secret) {
        int start = requestUri.indexOf('/', 1) + 1;
        if (start == 0) {
            return null;
        }
        int end = requestUri.indexOf('/', start);
        if (end < 0 || end - start != 32 || end + 1 == requestUri.length()) {
            return null;
        }
        String link = requestUri.substring(end + 1);
        // the target's characters are its bytes as they came; the secret is configuration text
        byte[] expected = md5(link.getBytes(StandardCharsets.ISO_8859_1), secret.getBytes(StandardCharsets.UTF_8));
        byte[] given = new byte[16];
        for (int i = 0; i < 16; i++) {
            int hi = Character.digit(requestUri.charAt(start + 2 * i), 16);
            int lo = Character.digit(requestUri.charAt(start + 2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            given[i] = (byte) (hi << 4 | lo);
        }
        return MessageDigest.isEqual(given, expected) ? link : null;
    }

    /** nginx's ngx_atotm: decimal digits only, -1 for anything else, an empty value or an overflow. */
    static long seconds(String text) {
        if (text.isEmpty()) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < text.length(); i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9 || n > (Long.MAX_VALUE - digit) / 10) {
                return -1;
            }
            n = n * 10 + digit;
        }
        return n;
    }

    /**
     * nginx's ngx_decode_base64url: the URL alphabet only, decoding stops at the first '=', a lone
     * trailing character is an error (null); the unused low bits of the last character are ignored.
     */
    static byte[] decodeBase64Url(String s) {
        int len = s.indexOf('=');
        if (len < 0) {
            len = s.length();
        }
        int[] values = new int[len];
        for (int i = 0; i < len; i++) {
            values[i] = sextet(s.charAt(i));
            if (values[i] < 0) {
                return null;
            }
        }
        if (len % 4 == 1) {
            return null;
        }
        byte[] out = new byte[len / 4 * 3 + Math.max(0, len % 4 - 1)];
        int o = 0;
        int i = 0;
        for (; len - i > 3; i += 4) {
            out[o++] = (byte) (values[i] << 2 | values[i + 1] >> 4);
            out[o++] = (byte) (values[i + 1] << 4 | values[i + 2] >> 2);
            out[o++] = (byte) (values[i + 2] << 6 | values[i + 3]);
        }
        if (len - i > 1) {
            out[o++] = (byte) (values[i] << 2 | values[i + 1] >> 4);
        }
        if (len - i > 2) {
            out[o] = (byte) (values[i + 1] << 4 | values[i + 2] >> 2);
        }
        return out;
    }

    private static int sextet(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '-' ? 62 : c == '_' ? 63 : -1;
    }

    static byte[] md5(byte[]... parts) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            for (byte[] part : parts) {
                md5.update(part);
            }
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has MD5", e);
        }
    }
}
