package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.OpenSslTool;
import io.ferry.tls.TlsContexts;
import io.netty.handler.ssl.SslProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream TLS with nginx's stream_ssl directives that http has too: an encrypted key opened by
 * ssl_password_file, an RSA and an ECDSA certificate chosen per client, ssl_ecdh_curve, and a
 * ssl_session_ticket_key shared by two servers so that a ticket of one resumes on the other.
 */
@Timeout(90)
class StreamTlsOptionsIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    Path conf;
    int both;
    int ticketsA;
    int ticketsB;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(TlsContexts.provider() == SslProvider.OPENSSL, "ticket keys and credentials are BoringSSL's");
        conf = prefix.resolve("conf");
        Files.createDirectories(conf);
        OpenSslTool.selfSigned(conf, "ec");
        openssl("genrsa", "-aes128", "-passout", "pass:secret", "-out", "rsa.key", "2048");
        openssl("req", "-x509", "-new", "-key", "rsa.key", "-passin", "pass:secret", "-subj", "/CN=rsa", "-days", "2",
                "-out", "rsa.crt");
        Files.writeString(conf.resolve("passwords"), "wrong\nsecret\n");
        Files.write(conf.resolve("ticket.key"), "t".repeat(48).getBytes(StandardCharsets.US_ASCII));
        both = FerryInstance.freePort();
        ticketsA = FerryInstance.freePort();
        ticketsB = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                stream {
                    ssl_password_file passwords;
                    server {
                        listen 127.0.0.1:%d ssl;
                        ssl_certificate rsa.crt;
                        ssl_certificate_key rsa.key;
                        ssl_certificate ec.crt;
                        ssl_certificate_key ec.key;
                        ssl_ecdh_curve secp384r1;
                        return "<$ssl_curve>";
                    }
                    server {
                        listen 127.0.0.1:%d ssl;
                        ssl_certificate ec.crt;
                        ssl_certificate_key ec.key;
                        ssl_session_ticket_key ticket.key;
                        return "<$ssl_session_reused>";
                    }
                    server {
                        listen 127.0.0.1:%d ssl;
                        ssl_certificate ec.crt;
                        ssl_certificate_key ec.key;
                        ssl_session_ticket_key ticket.key;
                        return "<$ssl_session_reused>";
                    }
                }
                """.formatted(both, ticketsA, ticketsB)));
    }

    @Test
    void theEncryptedKeyOpensAndEachClientGetsTheCertificateItTakes() throws Exception {
        assertThat(OpenSslTool.sClient(conf, both)).contains("subject=CN = rsa").contains("<secp384r1>");
        assertThat(OpenSslTool.sClient(conf, both, "-tls1_3", "-sigalgs", "ecdsa_secp256r1_sha256"))
                .contains("subject=CN = ec");
        assertThat(OpenSslTool.sClient(conf, both, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"))
                .contains("subject=CN = ec").contains("<secp384r1>");
    }

    @Test
    void aTicketOfOneServerResumesOnAnotherWithTheSameKey() throws Exception {
        String session = conf.resolve("a.session").toString();
        assertThat(OpenSslTool.sClient(conf, ticketsA, "-tls1_2", "-sess_out", session)).contains("<.>");
        assertThat(OpenSslTool.sClient(conf, ticketsB, "-tls1_2", "-sess_in", session)).contains("Reused, TLS")
                .contains("<r>");
    }

    private void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(conf.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }
}
