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
 * only when a key needs it.
 */
final class PemFiles {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----\\s*([A-Za-z0-9+/=\\s]+?)-----END PRIVATE KEY-----");

    private PemFiles() {
    }

    static SslContextBuilder serverBuilder(Path certificate, Path key) throws IOException {
        String keyText = Files.readString(key, StandardCharsets.US_ASCII);
        Matcher m = PKCS8.matcher(keyText);
        if (!m.find()) {
            return SslContextBuilder.forServer(certificate.toFile(), key.toFile());
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            X509Certificate[] chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certificate)))
                    .toArray(X509Certificate[]::new);
            if (chain.length == 0) {
                throw new IOException("no certificate in \"" + certificate + "\"");
            }
            return SslContextBuilder.forServer(privateKey(der, chain[0].getPublicKey().getAlgorithm()), chain);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(byte[] der, String algorithm) throws GeneralSecurityException {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }
}
