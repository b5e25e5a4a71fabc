package io.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several server blocks on one TLS port, each with its own certificate (RSA and EC, PKCS#8 and
 * traditional PEM), chosen by SNI; and ssl_protocols/ssl_ciphers as a client that offers what they
 * exclude sees them (openssl s_client: the JDK's own client refuses TLS 1.1 before the server could).
 */
@Timeout(60)
class SniIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    /** On the second port: TLS 1.1 (with a CBC suite it needs) and 1.2, two named suites. */
    static final String LEGACY_PROTOCOLS = "TLSv1.1 TLSv1.2";
    static final String LISTED_CBC = "ECDHE-RSA-AES128-SHA";
    static final String LISTED_GCM = "ECDHE-RSA-AES256-GCM-SHA384";
    static final String UNLISTED_GCM = "ECDHE-RSA-AES128-GCM-SHA256";
    /** OpenSSL 3 offers TLS 1.1 only at security level 0. */
    static final String LEVEL_0 = ":@SECLEVEL=0";

    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static int port;
    static int legacyPort;

    @BeforeAll
    static void start() throws Exception {
        port = FerryInstance.freePort();
        legacyPort = FerryInstance.freePort();
        SelfSignedCertificates.write(prefix.resolve("conf/a.crt"), prefix.resolve("conf/a.key"), List.of("a.test"),
                SelfSignedCertificates.KeyType.RSA_2048, SelfSignedCertificates.KeyEncoding.TRADITIONAL);
        SelfSignedCertificates.write(prefix.resolve("conf/b.crt"), prefix.resolve("conf/b.key"), List.of("b.test", "*.b.test"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
        SelfSignedCertificates.write(prefix.resolve("conf/d.crt"), prefix.resolve("conf/d.key"), List.of("default.test"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.TRADITIONAL);
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%1$d ssl;
                        server_name a.test;
                        ssl_certificate a.crt;
                        ssl_certificate_key a.key;
                        location / { return 200 "server a"; }
                    }
                    server {
                        listen 127.0.0.1:%1$d ssl default_server;
                        server_name default.test;
                        ssl_certificate d.crt;
                        ssl_certificate_key d.key;
                        location / { return 200 "server default"; }
                    }
                    server {
                        # without "ssl" here: the address is an ssl one all the same, and the certificate counts
                        listen 127.0.0.1:%1$d;
                        server_name b.test *.b.test;
                        ssl_certificate b.crt;
                        ssl_certificate_key b.key;
                        location / { return 200 "server b"; }
                    }
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        server_name legacy.test;
                        ssl_certificate a.crt;
                        ssl_certificate_key a.key;
                        ssl_protocols %3$s;
                        ssl_ciphers %4$s:%5$s;
                        location / { return 200 "server legacy"; }
                    }
                }
                """.formatted(port, legacyPort, LEGACY_PROTOCOLS, LISTED_CBC, LISTED_GCM)));
    }

    private record Answer(String certificateName, String keyAlgorithm, String body, String protocol) {
    }

    private static Answer ask(String sni, String host) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new AcceptAll()}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            SSLParameters p = s.getSSLParameters();
            if (sni != null) {
                p.setServerNames(List.of(new SNIHostName(sni)));
            }
            s.setSSLParameters(p);
            s.startHandshake();
            X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Answer(cert.getSubjectX500Principal().getName(), cert.getPublicKey().getAlgorithm(),
                    response.substring(response.indexOf("\r\n\r\n") + 4), s.getSession().getProtocol());
        }
    }

    @Test
    void eachNameGetsItsOwnCertificateAndServer() throws Exception {
        Answer a = ask("a.test", "a.test");
        assertThat(a.certificateName()).isEqualTo("CN=a.test");
        assertThat(a.keyAlgorithm()).isEqualTo("RSA");
        assertThat(a.body()).isEqualTo("server a");

        Answer b = ask("www.b.test", "www.b.test");
        assertThat(b.certificateName()).isEqualTo("CN=b.test");
        assertThat(b.keyAlgorithm()).isEqualTo("EC");
        assertThat(b.body()).isEqualTo("server b");
    }

    @Test
    void unknownOrMissingNameGetsTheDefaultServer() throws Exception {
        Answer unknown = ask("other.test", "other.test");
        assertThat(unknown.certificateName()).isEqualTo("CN=default.test");
        assertThat(unknown.body()).isEqualTo("server default");
        Answer none = ask(null, "a.test");
        assertThat(none.certificateName()).isEqualTo("CN=default.test");
        assertThat(none.body()).isEqualTo("server a");
    }

    @Test
    void theDefaultProtocolsRefuseTls11AndAcceptTls12And13() throws Exception {
        sClient(port, "-tls1_1", "-cipher", "DEFAULT" + LEVEL_0).assertRefusedWith("protocol version");
        assertThat(sClient(port, "-tls1_2").protocol()).isEqualTo("TLSv1.2");
        assertThat(sClient(port, "-tls1_3").protocol()).isEqualTo("TLSv1.3");
    }

    @Test
    void sslProtocolsEnableExactlyTheListedVersions() throws Exception {
        // the same client, refused above, is served where the list names TLS 1.1: the refusal was the server's
        assertThat(sClient(legacyPort, "-tls1_1", "-cipher", LISTED_CBC + LEVEL_0).protocol()).isEqualTo("TLSv1.1");
        assertThat(sClient(legacyPort, "-tls1_2").protocol()).isEqualTo("TLSv1.2");
        sClient(legacyPort, "-tls1_3").assertRefusedWith("protocol version");
    }

    @Test
    void sslCiphersNegotiateOnlyTheListedSuites() throws Exception {
        sClient(legacyPort, "-tls1_2", "-cipher", UNLISTED_GCM).assertRefusedWith("handshake failure");
        TlsOutcome listed = sClient(legacyPort, "-tls1_2", "-cipher", LISTED_GCM);
        assertThat(listed.cipher()).isEqualTo(LISTED_GCM);
        // offered both, the client's preferred suite first: the server can only agree on the listed one
        assertThat(sClient(legacyPort, "-tls1_2", "-cipher", UNLISTED_GCM + ":" + LISTED_GCM).cipher()).isEqualTo(LISTED_GCM);
    }

    /** What openssl s_client -brief reports: "Protocol version: TLSv1.x" and "Ciphersuite: X" once connected. */
    private record TlsOutcome(int exit, String sessionProtocol, String cipherName, String output) {
        private static final Pattern PROTOCOL = Pattern.compile("^Protocol version: (\\S+)", Pattern.MULTILINE);
        private static final Pattern CIPHER = Pattern.compile("^Ciphersuite: (\\S+)", Pattern.MULTILINE);

        static TlsOutcome of(int exit, String output) {
            Matcher protocol = PROTOCOL.matcher(output);
            Matcher cipher = CIPHER.matcher(output);
            return new TlsOutcome(exit, protocol.find() ? protocol.group(1) : null, cipher.find() ? cipher.group(1) : null, output);
        }

        String protocol() {
            assertThat(exit).as("s_client output: %s", output).isZero();
            assertThat(sessionProtocol).as("s_client output: %s", output).isNotNull();
            return sessionProtocol;
        }

        String cipher() {
            protocol();
            return cipherName;
        }

        /** Refused by the server's alert, so neither a client-side refusal nor a connection problem. */
        void assertRefusedWith(String alert) {
            assertThat(exit).as("s_client output: %s", output).isNotZero();
            assertThat(sessionProtocol).as("s_client output: %s", output).isNull();
            assertThat(output).contains("alert " + alert);
        }
    }

    /** One handshake by openssl s_client (stdin empty: it closes right after the handshake). */
    private static TlsOutcome sClient(int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-brief", "-connect", "127.0.0.1:" + port, "-servername", "legacy.test"));
        command.addAll(List.of(options));
        Path output = Files.createTempFile(prefix, "s_client", ".txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("openssl s_client did not finish: " + command);
        }
        return TlsOutcome.of(p.exitValue(), Files.readString(output));
    }

    /** The test checks the served certificate itself, so it accepts whatever is presented. */
    private static final class AcceptAll implements X509TrustManager {
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
    }
}
