package io.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.OpenSslTool;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with an ECDSA and an RSA certificate, in either order: OpenSSL's client gets the one its
 * offer allows (ECDSA or RSA cipher suites in TLS 1.2, signature algorithms in TLS 1.3), and the
 * first one written when it allows both. The RSA key is encrypted and opened with ssl_password_file.
 */
@Timeout(120)
class SeveralCertificatesIT {
    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static int ecFirst;
    static int rsaFirst;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(TlsContexts.provider() == SslProvider.OPENSSL, "several certificates are BoringSSL credentials");
        ecFirst = FerryInstance.freePort();
        rsaFirst = FerryInstance.freePort();
        Path conf = prefix.resolve("conf");
        Files.createDirectories(conf);
        OpenSslTool.selfSigned(conf, "ec");
        openssl(conf, "genrsa", "-aes128", "-passout", "pass:secret", "-out", "rsa.key", "2048");
        openssl(conf, "req", "-x509", "-new", "-key", "rsa.key", "-passin", "pass:secret", "-subj", "/CN=rsa", "-days", "2",
                "-out", "rsa.crt");
        Files.writeString(conf.resolve("passwords"), "secret\n");
        ferry = FerryInstance.start(prefix, """
                events { }
                http {
                    ssl_password_file passwords;
                    server {
                        listen 127.0.0.1:%1$d ssl;
                        ssl_certificate ec.crt;
                        ssl_certificate_key ec.key;
                        ssl_certificate rsa.crt;
                        ssl_certificate_key rsa.key;
                        location / { return 200 "$ssl_protocol"; }
                    }
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        ssl_certificate rsa.crt;
                        ssl_certificate_key rsa.key;
                        ssl_certificate ec.crt;
                        ssl_certificate_key ec.key;
                        location / { return 200 "$ssl_protocol"; }
                    }
                }
                """.formatted(ecFirst, rsaFirst));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void tls12ClientsGetTheCertificateOfTheirCipherSuites() throws Exception {
        for (int port : new int[] {ecFirst, rsaFirst}) {
            assertThat(get(port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"))
                    .contains("subject=CN = ec").contains("\r\n\r\nTLSv1.2");
            assertThat(get(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"))
                    .contains("subject=CN = rsa").contains("\r\n\r\nTLSv1.2");
        }
    }

    @Test
    void tls13ClientsGetTheCertificateOfTheirSignatureAlgorithms() throws Exception {
        for (int port : new int[] {ecFirst, rsaFirst}) {
            assertThat(get(port, "-tls1_3", "-sigalgs", "ecdsa_secp256r1_sha256"))
                    .contains("subject=CN = ec").contains("\r\n\r\nTLSv1.3");
            assertThat(get(port, "-tls1_3", "-sigalgs", "rsa_pss_rsae_sha256"))
                    .contains("subject=CN = rsa").contains("\r\n\r\nTLSv1.3");
        }
    }

    @Test
    void aClientTakingBothGetsTheFirstWritten() throws Exception {
        assertThat(get(ecFirst)).contains("subject=CN = ec");
        assertThat(get(rsaFirst)).contains("subject=CN = rsa");
        assertThat(get(ecFirst, "-tls1_2")).contains("subject=CN = ec");
        assertThat(get(rsaFirst, "-tls1_2")).contains("subject=CN = rsa");
    }

    private static String get(int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-ign_eof",
                "-servername", "localhost"));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes());
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    static void openssl(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }
}
