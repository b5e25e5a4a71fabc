package io.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.testing.FerryInstance;
import io.netty.handler.ssl.SslProvider;
import java.nio.charset.StandardCharsets;
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
 * A session cache with ssl_session_tickets off, per SNI server, as OpenSSL's client sees it: TLS 1.3
 * sessions resume with the server that made them and no other; TLS 1.2 sessions resume by id, and
 * no ticket is sent.
 */
@Timeout(120)
class Tls13SessionsIT {
    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(TlsContexts.provider() == SslProvider.OPENSSL, "the TLS 1.3 session hook is BoringSSL's");
        port = FerryInstance.freePort();
        Path conf = prefix.resolve("conf");
        SelfSignedCertificates.write(conf.resolve("a.crt"), conf.resolve("a.key"), List.of("localhost"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
        ferry = FerryInstance.start(prefix, """
                events { }
                http {
                    ssl_certificate a.crt;
                    ssl_certificate_key a.key;
                    ssl_session_tickets off;
                    server {
                        listen 127.0.0.1:%1$d ssl;
                        server_name one;
                        ssl_session_cache shared:one:1m;
                        location / { return 200 "$ssl_server_name:$ssl_session_reused"; }
                    }
                    server {
                        listen 127.0.0.1:%1$d;
                        server_name two;
                        ssl_session_cache shared:two:1m;
                        location / { return 200 "$ssl_server_name:$ssl_session_reused"; }
                    }
                }
                """.formatted(port));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void tls13SessionsResumeWithTheServerThatMadeThem() throws Exception {
        for (String name : new String[] {"one", "two"}) {
            Path session = prefix.resolve(name + ".session");
            assertThat(get(name, "-tls1_3", "-sess_out", session.toString())).contains(name + ":.");
            assertThat(get(name, "-tls1_3", "-sess_in", session.toString())).contains("Reused, TLSv1.3")
                    .contains(name + ":r");
        }
        assertThat(get("two", "-tls1_3", "-sess_in", prefix.resolve("one.session").toString())).contains("two:.");
    }

    @Test
    void tls12SessionsResumeByIdWithoutTickets() throws Exception {
        Path session = prefix.resolve("tls12.session");
        assertThat(get("one", "-tls1_2", "-sess_out", session.toString())).contains("one:.")
                .doesNotContain("TLS session ticket lifetime hint");
        assertThat(get("one", "-tls1_2", "-sess_in", session.toString())).contains("Reused, TLSv1.2").contains("one:r");
    }

    private static String get(String name, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-ign_eof",
                "-servername", name));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(("GET / HTTP/1.0\r\nHost: " + name + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
