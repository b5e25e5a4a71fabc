package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.LogFiles;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * $upstream_header_time, $upstream_response_length and $upstream_bytes_sent/_received through a real
 * proxy, against a peer that ends its lines with a bare LF (nginx reads those too).
 */
@Timeout(60)
class UpstreamVariablesIT {
    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static SocketBackend backend;
    static SocketBackend refusing;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        backend = SocketBackend.start(UpstreamVariablesIT::answer);
        // answers 502 at once: the first of two attempts
        refusing = SocketBackend.start(s -> {
            SocketBackend.readHead(s.getInputStream());
            SocketBackend.write(s, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            s.close();
        });
        port = FerryInstance.freePort();
        ferry = FerryInstance.start(prefix, """
                events { }
                http {
                    log_format vars "$uri $upstream_response_length:$upstream_bytes_received:$upstream_bytes_sent:$upstream_http_x_len";
                    upstream two { server 127.0.0.1:%d; server 127.0.0.1:%d; }
                    server {
                        listen 127.0.0.1:%d;
                        access_log logs/vars.log vars;
                        add_header X-Header-Time $upstream_header_time always;
                        location / { proxy_pass http://127.0.0.1:%d; }
                        location /two { proxy_pass http://two; proxy_next_upstream http_502; }
                    }
                }
                """.formatted(refusing.port(), backend.port(), port, backend.port()));
    }

    /** Sends back how many bytes of request head it read, then a body of 23 bytes ended by closing. */
    private static void answer(Socket s) throws Exception {
        String head = SocketBackend.readHead(s.getInputStream());
        SocketBackend.write(s, "HTTP/1.1 200 OK\nConnection: close\nX-Len: " + head.length() + "\n\nTEST-OK-IF-YOU-SEE-THIS");
        s.close();
    }

    /** The values logged for a URI, once its line is there. */
    private static String logged(String uriAndSpace) throws Exception {
        Path log = prefix.resolve("logs/vars.log");
        for (int i = 0; i < 100; i++) {
            if (Files.exists(log)) {
                for (String line : LogFiles.lines(log)) {
                    if (line.startsWith(uriAndSpace)) {
                        return line.substring(uriAndSpace.length());
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no log line for " + uriAndSpace);
    }

    @AfterAll
    static void stop() throws Exception {
        if (ferry != null) {
            ferry.close();
        }
        backend.close();
        refusing.close();
    }

    @Test
    void countsTheBodyTheWholeResponseAndTheRequest() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            RawHttpClient.Response r = c.get("/");
            assertThat(r.text()).isEqualTo("TEST-OK-IF-YOU-SEE-THIS");
            String len = r.header("X-Len");
            // the head and the body (23): what the peer sent, bare LFs and all
            int received = "HTTP/1.1 200 OK\nConnection: close\nX-Len: \n\n".length() + len.length() + 23;
            assertThat(logged("/ ")).isEqualTo("23:" + received + ":" + len + ":" + len);
            assertThat(r.header("X-Header-Time")).matches("\\d+\\.\\d{3}");
        }
    }

    @Test
    void eachAttemptHasItsOwnValues() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            RawHttpClient.Response r = c.get("/two");
            String len = r.header("X-Len");
            assertThat(r.status()).isEqualTo(200);
            String[] vars = logged("/two ").split(":");
            assertThat(vars[0]).isEqualTo("0, 23");
            assertThat(vars[1]).matches("\\d+, \\d+");
            assertThat(vars[2]).matches("\\d+, " + len);
            assertThat(r.header("X-Header-Time")).matches("\\d+\\.\\d{3}, \\d+\\.\\d{3}");
        }
    }
}
