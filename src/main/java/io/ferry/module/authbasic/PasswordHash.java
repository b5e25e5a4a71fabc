package io.ferry.module.authbasic;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import org.apache.commons.codec.digest.Md5Crypt;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.apache.commons.codec.digest.UnixCrypt;
import org.bouncycastle.crypto.DataLengthException;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * The password formats of an htpasswd file, as nginx's ngx_crypt reads them: {PLAIN}, {SHA},
 * {SSHA} and $apr1$ itself, everything else through crypt(3), of which Ferry knows DES, $1$ (MD5),
 * $5$ (SHA-256), $6$ (SHA-512) and the bcrypt spellings $2a$, $2b$, $2y$. As with crypt(3), the
 * password is hashed with the stored value as salt and must give that value back; a value of no
 * known format, or a broken one, matches no password.
 */
final class PasswordHash {
    /** bcrypt reads no more of a password than this, as crypt(3) does. */
    private static final int BCRYPT_MAX = 72;

    private PasswordHash() {
    }

    static boolean matches(byte[] password, String stored) {
        String computed;
        try {
            computed = hash(password, stored);
        } catch (IllegalArgumentException | DataLengthException e) {
            // a salt the scheme refuses: crypt(3) answers with a failure token, which equals nothing stored
            return false;
        }
        return computed != null && MessageDigest.isEqual(computed.getBytes(StandardCharsets.ISO_8859_1),
                stored.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The password hashed as {@code stored} says, or null for a bcrypt mismatch or a format Ferry does not know. */
    private static String hash(byte[] password, String stored) {
        if (stored.startsWith("$apr1$")) {
            return Md5Crypt.apr1Crypt(password, stored);
        }
        if (stored.startsWith("{PLAIN}")) {
            return "{PLAIN}" + new String(password, StandardCharsets.ISO_8859_1);
        }
        if (stored.startsWith("{SSHA}")) {
            return ssha(password, stored.substring(6));
        }
        if (stored.startsWith("{SHA}")) {
            return "{SHA}" + Base64.getEncoder().encodeToString(sha1(password, new byte[0]));
        }
        if (stored.startsWith("$1$")) {
            return Md5Crypt.md5Crypt(password, stored);
        }
        if (stored.startsWith("$5$")) {
            return Sha2Crypt.sha256Crypt(password, stored);
        }
        if (stored.startsWith("$6$")) {
            return Sha2Crypt.sha512Crypt(password, stored);
        }
        if (stored.startsWith("$2a$") || stored.startsWith("$2b$") || stored.startsWith("$2y$")) {
            byte[] key = password.length > BCRYPT_MAX ? Arrays.copyOf(password, BCRYPT_MAX) : password;
            return OpenBSDBCrypt.checkPassword(stored, key) ? stored : null;
        }
        if (stored.length() == 13 && !stored.startsWith("$")) {
            return UnixCrypt.crypt(password, stored.substring(0, 2));
        }
        return null;
    }

    /**
     * "{SSHA}" base64(SHA1(password salt) salt), nginx's ngx_crypt_ssha: what decodes to less than a
     * digest (or not at all) is taken as a digest with no salt, so it matches no password.
     */
    private static String ssha(byte[] password, String encoded) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            decoded = new byte[0];
        }
        byte[] salt = decoded.length < 20 ? new byte[0] : Arrays.copyOfRange(decoded, 20, decoded.length);
        byte[] out = Arrays.copyOf(sha1(password, salt), 20 + salt.length);
        System.arraycopy(salt, 0, out, 20, salt.length);
        return "{SSHA}" + Base64.getEncoder().encodeToString(out);
    }

    private static byte[] sha1(byte[] password, byte[] salt) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(password);
            sha1.update(salt);
            return sha1.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
