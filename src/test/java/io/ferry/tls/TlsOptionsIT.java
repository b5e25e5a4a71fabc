package io.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.testing.FerryInstance;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * ssl_session_ticket_key, ssl_reject_handshake, ssl_password_file and ssl_ecdh_curve as OpenSSL's own
 * client sees them: s_client saves the session it was given (-sess_out) and offers it on its next
 * connection (-sess_in), and reports "Reused" when the server took it.
 */
@Timeout(120)
class TlsOptionsIT {
    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static int one;
    static int twoThenOne;
    static int two;
    static int wide;
    static int rejecting;
    static int locked;
    static int rotating;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(TlsContexts.provider() == SslProvider.OPENSSL, "ticket keys are BoringSSL's");
        one = FerryInstance.freePort();
        twoThenOne = FerryInstance.freePort();
        two = FerryInstance.freePort();
        wide = FerryInstance.freePort();
        rejecting = FerryInstance.freePort();
        locked = FerryInstance.freePort();
        rotating = FerryInstance.freePort();
        Path conf = prefix.resolve("conf");
        SelfSignedCertificates.write(conf.resolve("a.crt"), conf.resolve("a.key"), List.of("localhost"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
        Files.write(conf.resolve("one.key"), "1".repeat(48).getBytes(StandardCharsets.US_ASCII));
        Files.write(conf.resolve("two.key"), "2".repeat(48).getBytes(StandardCharsets.US_ASCII));
        Files.write(conf.resolve("wide.key"), "w".repeat(80).getBytes(StandardCharsets.US_ASCII));
        openssl("genrsa", "-aes128", "-passout", "pass:secret", "-out", conf.resolve("locked.key").toString(), "2048");
        openssl("req", "-x509", "-new", "-key", conf.resolve("locked.key").toString(), "-passin", "pass:secret",
                "-subj", "/CN=locked", "-days", "2", "-out", conf.resolve("locked.crt").toString());
        Files.writeString(conf.resolve("passwords"), "wrong\r\nsecret\n");
        ferry = FerryInstance.start(prefix, """
                events { }
                http {
                    ssl_certificate a.crt;
                    ssl_certificate_key a.key;
                    server {
                        listen 127.0.0.1:%1$d ssl;
                        ssl_session_ticket_key one.key;
                        location / { return 200 "$ssl_session_reused"; }
                    }
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        ssl_session_ticket_key two.key;
                        ssl_session_ticket_key one.key;
                        location / { return 200 "$ssl_session_reused"; }
                    }
                    server {
                        listen 127.0.0.1:%3$d ssl;
                        ssl_session_ticket_key two.key;
                        location / { return 200 "$ssl_session_reused"; }
                    }
                    server {
                        listen 127.0.0.1:%4$d ssl;
                        ssl_session_ticket_key wide.key;
                        location / { return 200 "$ssl_session_reused"; }
                    }
                    server {
                        listen 127.0.0.1:%5$d ssl default_server;
                        ssl_reject_handshake on;
                    }
                    server {
                        listen 127.0.0.1:%5$d;
                        server_name welcome;
                        location / { return 200 "welcome"; }
                    }
                    server {
                        listen 127.0.0.1:%6$d ssl;
                        ssl_certificate locked.crt;
                        ssl_certificate_key locked.key;
                        ssl_password_file passwords;
                        ssl_ecdh_curve secp384r1;
                        location / { return 200 "$ssl_curve"; }
                    }
                    server {
                        listen 127.0.0.1:%7$d ssl;
                        ssl_session_cache shared:Z:1m;
                        ssl_session_timeout 2s;
                        location / { return 200 "$ssl_session_reused"; }
                    }
                }
                """.formatted(one, twoThenOne, two, wide, rejecting, locked, rotating));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void aTicketResumesWhereItsKeyIsConfigured() throws Exception {
        Path session = prefix.resolve("one.session");
        assertThat(sClient(one, "localhost", "-sess_out", session.toString())).contains("New, TLS");
        assertThat(sClient(one, "localhost", "-sess_in", session.toString())).contains("Reused, TLS");
    }

    @Test
    void aKeyMovedToSecondPlaceStillDecryptsAndAnUnknownOneDoesNot() throws Exception {
        Path session = prefix.resolve("rotated.session");
        sClient(one, "localhost", "-sess_out", session.toString());
        assertThat(sClient(twoThenOne, "localhost", "-sess_in", session.toString())).contains("Reused, TLS");
        assertThat(sClient(two, "localhost", "-sess_in", session.toString())).contains("New, TLS");
    }

    @Test
    void anEightyByteKeyResumesItsOwnTickets() throws Exception {
        Path session = prefix.resolve("wide.session");
        sClient(wide, "localhost", "-sess_out", session.toString());
        assertThat(sClient(wide, "localhost", "-sess_in", session.toString())).contains("Reused, TLS");
        assertThat(sClient(one, "localhost", "-sess_in", session.toString())).contains("New, TLS");
    }

    @Test
    void aRejectingServerAnswersWithUnrecognizedName() throws Exception {
        assertThat(sClient(rejecting, "other")).contains("unrecognized name").doesNotContain("200 OK");
        assertThat(sClient(rejecting, null)).contains("unrecognized name");
        assertThat(sClient(rejecting, "welcome")).contains("200 OK").contains("\r\n\r\nwelcome");
    }

    @Test
    void anEncryptedKeyOpensWithALineOfThePasswordFileAndTheCurveIsTheConfiguredOne() throws Exception {
        String out = sClient(locked, "localhost");
        assertThat(out).contains("CN = locked").contains("200 OK");
        assertThat(out).contains("\r\n\r\nsecp384r1");
    }

    @Test
    void aSharedZonesOwnKeyIsReplacedAfterTheSessionTimeout() throws Exception {
        String first = ticketKeyName(rotating, "z1.session");
        Thread.sleep(500);
        assertThat(ticketKeyName(rotating, "z2.session")).isEqualTo(first);
        assertThat(sClient(rotating, "localhost", "-sess_in", prefix.resolve("z2.session").toString())).contains("Reused, TLS");
        Thread.sleep(2500);
        assertThat(ticketKeyName(rotating, "z3.session")).isNotEqualTo(first);
    }

    /** The name of the key a new ticket was made with: its first 16 bytes, as s_client's session file keeps it. */
    private static String ticketKeyName(int port, String file) throws Exception {
        Path session = prefix.resolve(file);
        sClient(port, "localhost", "-sess_out", session.toString());
        Process p = new ProcessBuilder("openssl", "sess_id", "-in", session.toString(), "-noout", "-text")
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        p.waitFor();
        int at = text.indexOf("TLS session ticket:");
        assertThat(at).as(text).isNotNegative();
        String line = text.substring(at).lines().skip(1).findFirst().orElseThrow();
        return line.substring(line.indexOf('-') + 1).strip().substring(0, 47);
    }

    private static String sClient(int port, String name, String... more) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-ign_eof"));
        command.addAll(name == null ? List.of("-noservername") : List.of("-servername", name));
        command.addAll(List.of(more));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(("GET / HTTP/1.0\r\nHost: " + (name == null ? "localhost" : name) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
