package io.ferry.tls;

import io.ferry.tls.Tls.ServerCertificate;
import io.ferry.tls.ocsp.OcspStaple;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.Buffer;
import io.netty.internal.tcnative.SSL;
import io.netty.internal.tcnative.SSLCredential;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A server's several certificates (ssl_certificate given more than once) as BoringSSL credentials,
 * offered to each handshake in their order: the library presents the first one the client can use
 * (by the cipher suites it offers in TLS 1.2, by its signature algorithms in TLS 1.3), as OpenSSL
 * does for nginx. Each certificate carries its own OCSP staple; a credential is immutable once
 * handshakes use it, so a new staple makes a new credential.
 */
final class Credentials {
    private final List<Credential> credentials;

    private Credentials(List<Credential> credentials) {
        this.credentials = credentials;
    }

    /** The credentials of every certificate of the server, the first one included. */
    static Credentials of(Tls tls, Optional<OcspStaple> firstStaple) throws IOException {
        List<Credential> out = new ArrayList<>();
        List<ServerCertificate> all = tls.certificates();
        for (int i = 0; i < all.size(); i++) {
            ServerCertificate c = all.get(i);
            Optional<OcspStaple> staple = i == 0 ? firstStaple : OcspStaple.of(tls.stapling(), c.certificate());
            out.add(new Credential(c, staple));
        }
        return new Credentials(List.copyOf(out));
    }

    boolean stapling() {
        return credentials.stream().anyMatch(c -> c.staple.isPresent());
    }

    /** Called with the engine's lock held, before its handshake. */
    void addTo(ReferenceCountedOpenSslEngine engine) {
        for (Credential c : credentials) {
            c.addTo(engine.sslPointer());
        }
    }

    private static final class Credential {
        private final long key;
        private final long chain;
        private final Optional<OcspStaple> staple;
        private long credential;
        private byte[] stapled;

        Credential(ServerCertificate c, Optional<OcspStaple> staple) throws IOException {
            this.staple = staple;
            X509Certificate[] certificates = chain(c);
            PrivateKey privateKey = c.decryptedKey() != null ? c.decryptedKey() : EncryptedKeys.read(c.key(), List.of());
            StringBuilder pem = new StringBuilder();
            for (X509Certificate x : certificates) {
                try {
                    pem.append(pem("CERTIFICATE", x.getEncoded()));
                } catch (GeneralSecurityException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
            try {
                long chainBio = bio(pem.toString());
                try {
                    chain = SSL.parseX509Chain(chainBio);
                } finally {
                    SSL.freeBIO(chainBio);
                }
                long keyBio = bio(pem("PRIVATE KEY", privateKey.getEncoded()));
                try {
                    key = SSL.parsePrivateKey(keyBio, null);
                } finally {
                    SSL.freeBIO(keyBio);
                }
                credential = make(null);
            } catch (Exception e) {
                throw new IOException("cannot load certificate \"" + c.certificate() + "\" or key \"" + c.key() + "\": "
                        + e.getMessage(), e);
            }
        }

        private long make(byte[] ocsp) throws Exception {
            long made = SSLCredential.newX509();
            SSLCredential.setPrivateKey(made, key);
            SSLCredential.setCertChain(made, chain);
            if (ocsp != null) {
                SSLCredential.setOcspResponse(made, ocsp);
            }
            return made;
        }

        synchronized void addTo(long ssl) {
            try {
                byte[] now = staple.map(OcspStaple::current).orElse(null);
                if (now != stapled) {
                    long fresh = make(now);
                    // handshakes that took the old one hold their own reference
                    SSLCredential.free(credential);
                    credential = fresh;
                    stapled = now;
                }
                SSL.addCredential(ssl, credential);
            } catch (Exception e) {
                throw new IllegalStateException("cannot offer a certificate: " + e.getMessage(), e);
            }
        }

        private static X509Certificate[] chain(ServerCertificate c) throws IOException {
            try {
                X509Certificate[] chain = CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(c.certificate())))
                        .toArray(X509Certificate[]::new);
                if (chain.length == 0) {
                    throw new IOException("no certificate in \"" + c.certificate() + "\"");
                }
                return chain;
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot load certificate \"" + c.certificate() + "\": " + e.getMessage(), e);
            }
        }

        private static String pem(String type, byte[] der) {
            return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                    + "\n-----END " + type + "-----\n";
        }

        private static long bio(String text) throws Exception {
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
            direct.put(bytes).flip();
            long bio = SSL.newMemBIO();
            if (SSL.bioWrite(bio, Buffer.address(direct), bytes.length) != bytes.length) {
                SSL.freeBIO(bio);
                throw new IOException("cannot pass the PEM to the TLS library");
            }
            return bio;
        }
    }
}
