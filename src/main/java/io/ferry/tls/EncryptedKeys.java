package io.ferry.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Provider;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A PEM private key opened with ssl_password_file's passwords, tried in order as nginx's password
 * callback offers them: PKCS#8 ("ENCRYPTED PRIVATE KEY", what OpenSSL 3 writes) and OpenSSL's
 * traditional encrypted form ("Proc-Type: 4,ENCRYPTED"). An unencrypted key is read as it is.
 */
final class EncryptedKeys {
    private static final JcaPEMKeyConverter CONVERTER = new JcaPEMKeyConverter();
    /** The JDK's providers lack OpenSSL's padding names; BouncyCastle's is used here only, not installed. */
    private static final Provider BC = new BouncyCastleProvider();

    private EncryptedKeys() {
    }

    static PrivateKey read(Path file, List<String> passwords) throws IOException {
        Object pem;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(in)) {
            do {
                pem = parser.readObject();
            } while (pem != null && !isKey(pem));
        }
        if (pem == null) {
            throw new IOException("no private key in the file");
        }
        if (pem instanceof PrivateKeyInfo info) {
            return CONVERTER.getPrivateKey(info);
        }
        if (pem instanceof PEMKeyPair pair) {
            return CONVERTER.getKeyPair(pair).getPrivate();
        }
        Exception last = null;
        for (String password : passwords) {
            try {
                if (pem instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                    InputDecryptorProvider decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(password.toCharArray());
                    return CONVERTER.getPrivateKey(encrypted.decryptPrivateKeyInfo(decryptor));
                }
                PEMEncryptedKeyPair pair = (PEMEncryptedKeyPair) pem;
                return CONVERTER.getKeyPair(pair.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC).build(password.toCharArray())))
                        .getPrivate();
            } catch (Exception e) {
                // a wrong password: nginx goes on with the next line
                last = e;
            }
        }
        throw new IOException("none of the " + passwords.size() + " password(s) opens the key (" + last.getMessage() + ")",
                last);
    }

    private static boolean isKey(Object pem) {
        return pem instanceof PrivateKeyInfo || pem instanceof PEMKeyPair || pem instanceof PKCS8EncryptedPrivateKeyInfo
                || pem instanceof PEMEncryptedKeyPair;
    }
}
