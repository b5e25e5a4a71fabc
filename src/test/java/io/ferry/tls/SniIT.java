package io.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several server blocks on one TLS port, each with its own certificate (RSA and EC, PKCS#8 and traditional PEM), chosen by SNI. */
@Timeout(30)
class SniIT {
    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        port = FerryInstance.freePort();
        SelfSignedCertificates.write(prefix.resolve("conf/a.crt"), prefix.resolve("conf/a.key"), List.of("a.test"),
                SelfSignedCertificates.KeyType.RSA_2048, SelfSignedCertificates.KeyEncoding.TRADITIONAL);
        SelfSignedCertificates.write(prefix.resolve("conf/b.crt"), prefix.resolve("conf/b.key"), List.of("b.test", "*.b.test"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
        SelfSignedCertificates.write(prefix.resolve("conf/d.crt"), prefix.resolve("conf/d.key"), List.of("default.test"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.TRADITIONAL);
        ferry = FerryInstance.start(prefix, """
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
                        listen 127.0.0.1:%1$d ssl;
                        server_name b.test *.b.test;
                        ssl_certificate b.crt;
                        ssl_certificate_key b.key;
                        location / { return 200 "server b"; }
                    }
                }
                """.formatted(port));
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
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
    void onlyModernProtocolsAreOffered() throws Exception {
        assertThat(ask("a.test", "a.test").protocol()).isIn("TLSv1.3", "TLSv1.2");
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new AcceptAll()}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setEnabledProtocols(new String[] {"TLSv1.1"});
            org.assertj.core.api.Assertions.assertThatThrownBy(s::startHandshake).isInstanceOf(javax.net.ssl.SSLException.class);
        }
        assertThat(ask("b.test", "b.test").body()).isEqualTo("server b");
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
