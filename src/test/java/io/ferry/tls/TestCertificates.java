package io.ferry.tls;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificate authorities, client certificates and CRLs for tests of client verification. */
final class TestCertificates {
    private static long serial = 0x1000;

    record Issued(X509Certificate certificate, KeyPair keys) {
    }

    private TestCertificates() {
    }

    static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** A self-signed CA (basicConstraints CA:TRUE). */
    static Issued root(String dn) throws Exception {
        KeyPair keys = keys();
        return new Issued(sign(new X500Name(dn), keys, new X500Name(dn), keys, true, Instant.now().minus(Duration.ofHours(1)), Duration.ofDays(3)), keys);
    }

    static Issued issue(String dn, Issued issuer, boolean ca) throws Exception {
        return issue(dn, issuer, ca, Instant.now().minus(Duration.ofHours(1)), Duration.ofDays(3));
    }

    static Issued issue(String dn, Issued issuer, boolean ca, Instant from, Duration valid) throws Exception {
        KeyPair keys = keys();
        return new Issued(sign(new X500Name(dn), keys, X500Name.getInstance(issuer.certificate().getSubjectX500Principal()
                .getEncoded()), issuer.keys(), ca, from, valid), keys);
    }

    private static synchronized X509Certificate sign(X500Name dn, KeyPair subject, X500Name issuerDn, KeyPair issuer,
            boolean ca, Instant from, Duration valid) throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerDn, BigInteger.valueOf(serial++),
                Date.from(from), Date.from(from.plus(valid)), dn, subject.getPublic());
        if (ca) {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    /** A CRL of {@code issuer} revoking {@code revoked}. */
    static X509CRL crl(Issued issuer, X509Certificate... revoked) throws Exception {
        Date now = new Date();
        X509v2CRLBuilder b = new X509v2CRLBuilder(X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()),
                new Date(now.getTime() - 60_000));
        b.setNextUpdate(new Date(now.getTime() + 86_400_000));
        for (X509Certificate c : revoked) {
            b.addCRLEntry(c.getSerialNumber(), now, CRLReason.keyCompromise);
        }
        return new JcaX509CRLConverter().getCRL(b.build(new JcaContentSignerBuilder("SHA256withECDSA")
                .build(issuer.keys().getPrivate())));
    }

    static void write(Path file, Object... pemObjects) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : pemObjects) {
                w.writeObject(o);
            }
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, out.toString());
    }

    /**
     * A client that presents {@code cert} (or none) whatever CA names the server sends (the JDK's own
     * key manager would hold back a certificate of an issuer the server did not name), and trusts any server.
     */
    static SSLContext client(Issued cert) throws Exception {
        return client(cert, new java.util.ArrayList<>());
    }

    /** As {@link #client(Issued)}, adding the CA names the server sent to {@code namesSent}. */
    static SSLContext client(Issued cert, java.util.List<Principal> namesSent) throws Exception {
        KeyManager[] keys = cert == null ? null : new KeyManager[] {new X509ExtendedKeyManager() {
            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {"client"};
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                namesSent.addAll(java.util.List.of(issuers));
                return "client";
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                namesSent.addAll(java.util.List.of(issuers));
                return "client";
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return new X509Certificate[] {cert.certificate()};
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return cert.keys().getPrivate();
            }
        }};
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }
}
