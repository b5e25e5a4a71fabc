package io.ferry.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** Writes a self-signed server certificate and its private key as PEM files, for demos and tests. */
public final class SelfSignedCertificates {

    public enum KeyType { RSA_2048, EC_P256 }

    /** PKCS8 is {@code BEGIN PRIVATE KEY}; TRADITIONAL is OpenSSL's {@code BEGIN RSA/EC PRIVATE KEY}. */
    public enum KeyEncoding { PKCS8, TRADITIONAL }

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private SelfSignedCertificates() {
    }

    public static void writeDefault(Path certPem, Path keyPem) {
        write(certPem, keyPem, List.of("localhost"), KeyType.RSA_2048, KeyEncoding.PKCS8);
    }

    public static void write(Path certPem, Path keyPem, List<String> dnsNames, KeyType type, KeyEncoding encoding) {
        if (dnsNames.isEmpty()) {
            throw new IllegalArgumentException("at least one DNS name is required");
        }
        try {
            KeyPair keyPair = generateKeyPair(type);
            X509Certificate certificate = selfSign(keyPair, dnsNames, type);
            writeFile(certPem, toPem(certificate), false);
            writeFile(keyPem, toPem(privateKeyPem(keyPair, encoding)), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate", e);
        }
    }

    private static KeyPair generateKeyPair(KeyType type) throws GeneralSecurityException {
        return switch (type) {
            case RSA_2048 -> {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048, RANDOM);
                yield generator.generateKeyPair();
            }
            case EC_P256 -> {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                yield generator.generateKeyPair();
            }
        };
    }

    private static X509Certificate selfSign(KeyPair keyPair, List<String> dnsNames, KeyType type)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, dnsNames.get(0)).build();
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                new BigInteger(127, RANDOM),
                Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(3650))),
                subject,
                keyPair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames(dnsNames));
        String algorithm = type == KeyType.RSA_2048 ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(keyPair.getPrivate())));
    }

    private static GeneralNames subjectAltNames(List<String> dnsNames) {
        List<GeneralName> names = new ArrayList<>();
        for (String name : dnsNames) {
            names.add(new GeneralName(GeneralName.dNSName, name));
        }
        // Clients that dial the loopback address by number verify the IP SAN, not "localhost".
        if (dnsNames.contains("localhost")) {
            names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static PemObject privateKeyPem(KeyPair keyPair, KeyEncoding encoding) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(keyPair.getPrivate().getEncoded());
        if (encoding == KeyEncoding.PKCS8) {
            return new PemObject("PRIVATE KEY", info.getEncoded());
        }
        if (keyPair.getPrivate() instanceof ECPrivateKey ec) {
            return new PemObject("EC PRIVATE KEY", sec1(ec, info, keyPair.getPublic()));
        }
        return new PemObject("RSA PRIVATE KEY", info.parsePrivateKey().toASN1Primitive().getEncoded());
    }

    /**
     * The JDK's PKCS#8 encoding keeps the curve only in the outer algorithm identifier, so its inner SEC1
     * structure alone would be unreadable by OpenSSL; rebuild it with the curve and public key included.
     */
    private static byte[] sec1(ECPrivateKey key, PrivateKeyInfo info, PublicKey publicKey) throws IOException {
        ASN1Encodable curve = info.getPrivateKeyAlgorithm().getParameters();
        ASN1BitString publicKeyBits = SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()).getPublicKeyData();
        return new org.bouncycastle.asn1.sec.ECPrivateKey(
                key.getParams().getOrder().bitLength(), key.getS(), publicKeyBits, curve).getEncoded();
    }

    private static String toPem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    private static void writeFile(Path file, String content, boolean secret) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        if (secret && Files.getFileStore(parent).supportsFileAttributeView(PosixFileAttributeView.class)) {
            // Recreate rather than chmod so the key is never readable by others, not even briefly.
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        Files.writeString(file, content, StandardCharsets.US_ASCII);
    }
}
