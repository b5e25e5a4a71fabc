package io.ferry.variable;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The user and password of an "Authorization: Basic" header, read as nginx's
 * ngx_http_auth_basic_user: base64 up to the first '=', split at the first ':', an empty user
 * counting as none. Both are kept as the bytes the client sent, since password files compare bytes.
 */
public record BasicCredentials(byte[] user, byte[] password) {

    /** The credentials, or null when the header is absent, not Basic, or does not decode to "user:password". */
    public static BasicCredentials of(RequestScope s) {
        String auth = s.requestHeader("authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        int start = 6;
        while (start < auth.length() && auth.charAt(start) == ' ') {
            start++;
        }
        int end = auth.indexOf('=', start);
        String encoded = auth.substring(start, end < 0 ? auth.length() : end);
        if (encoded.isEmpty() || encoded.length() % 4 == 1) {
            return null;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = 0;
        while (colon < decoded.length && decoded[colon] != ':') {
            colon++;
        }
        if (colon == 0 || colon == decoded.length) {
            return null;
        }
        return new BasicCredentials(Arrays.copyOf(decoded, colon), Arrays.copyOfRange(decoded, colon + 1, decoded.length));
    }

    /** The user name as text ($remote_user). */
    public String userName() {
        return new String(user, StandardCharsets.UTF_8);
    }
}
