package io.ferry.tls;

import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a PEM certificate chain and key for a server context. PKCS#8 keys are decoded with the
 * JDK alone; other key encodings (traditional RSA/EC, encrypted) go to Netty's loader, which uses
 * BouncyCastle. Starting BouncyCastle costs a few hundred milliseconds of startup, so it is paid
 * only when a key needs it. A key opened with ssl_password_file comes decrypted.
 */
final class PemFiles {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----\\s*([A-Za-z0-9+/=\\s]+?)-----END PRIVATE KEY-----");

    private PemFiles() {
    }

    static SslContextBuilder serverBuilder(Path certificate, Path key, PrivateKey decrypted) throws IOException {
        Matcher m = null;
        if (decrypted == null) {
            m = PKCS8.matcher(Files.readString(key, StandardCharsets.US_ASCII));
            if (!m.find()) {
                return SslContextBuilder.forServer(certificate.toFile(), key.toFile());
            }
        }
        try {
            X509Certificate[] chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certificate)))
                    .toArray(X509Certificate[]::new);
            if (chain.length == 0) {
                throw new IOException("no certificate in \"" + certificate + "\"");
            }
            PrivateKey privateKey = decrypted != null ? decrypted
                    : privateKey(Base64.getMimeDecoder().decode(m.group(1)), chain[0].getPublicKey().getAlgorithm());
            return SslContextBuilder.forServer(privateKey, chain);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(byte[] der, String algorithm) throws GeneralSecurityException {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }
}
