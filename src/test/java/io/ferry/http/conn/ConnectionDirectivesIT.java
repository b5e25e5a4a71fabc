package io.ferry.http.conn;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.RawHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Header lines nginx calls invalid, and how a client connection ends: reset, lingering or at once. */
class ConnectionDirectivesIT {
    @TempDir
    Path prefix;

    private static final String ODD_HEADERS = "GET / HTTP/1.1\r\nHost: x\r\nX.Dot: 1\r\nX_Under: 2\r\nX-Ok: 3\r\nConnection: close\r\n\r\n";

    @Test
    void invalidHeaderLinesAreDroppedAndLoggedUnlessAllowed() throws Exception {
        int dflt = FerryInstance.freePort();
        int under = FerryInstance.freePort();
        int off = FerryInstance.freePort();
        try (HttpEchoBackend backend = HttpEchoBackend.start(); ErrorLogLines log = ErrorLogLines.capture();
             FerryInstance ignored = FerryInstance.start(prefix, """
                     http {
                         server { listen 127.0.0.1:%d; location / { proxy_pass http://127.0.0.1:%d; } }
                         server { listen 127.0.0.1:%d; underscores_in_headers on; location / { proxy_pass http://127.0.0.1:%2$d; } }
                         server { listen 127.0.0.1:%4$d; ignore_invalid_headers off; location / { proxy_pass http://127.0.0.1:%2$d; } }
                     }
                     """.formatted(dflt, backend.port(), under, off))) {
            try (RawHttpClient c = new RawHttpClient(dflt)) {
                assertThat(c.send(ODD_HEADERS).read().status()).isEqualTo(200);
            }
            assertThat(backend.last().headers().get("x-ok")).isEqualTo("3");
            assertThat(backend.last().headers().contains("x.dot")).isFalse();
            assertThat(backend.last().headers().contains("x_under")).isFalse();
            assertThat(log.count("client sent invalid header line: \"X.Dot: 1\"")).isEqualTo(1);
            assertThat(log.count("client sent invalid header line: \"X_Under: 2\"")).isEqualTo(1);

            try (RawHttpClient c = new RawHttpClient(under)) {
                assertThat(c.send(ODD_HEADERS).read().status()).isEqualTo(200);
            }
            assertThat(backend.last().headers().get("x_under")).isEqualTo("2");
            assertThat(backend.last().headers().contains("x.dot")).isFalse();

            try (RawHttpClient c = new RawHttpClient(off)) {
                assertThat(c.send(ODD_HEADERS).read().status()).isEqualTo(200);
            }
            assertThat(backend.last().headers().get("x.dot")).isEqualTo("1");
            assertThat(backend.last().headers().get("x_under")).isEqualTo("2");
        }
    }

    /** Reads to the end: "eof" for an orderly close, "reset" when the peer reset the connection. */
    private static String end(Socket s) throws IOException {
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // the answer, if any, is not what is tested
            }
            return "eof";
        } catch (SocketException e) {
            assertThat(e.getMessage()).contains("Connection reset");
            return "reset";
        }
    }

    private static Socket send(int port, String request) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        return s;
    }

    @Test
    void timedOutConnectionsAndReturn444AreResetWhenAsked() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%d;
                        client_body_timeout 300ms;
                        location /plain { return 444; }
                        location /reset { reset_timedout_connection on; return 444; }
                        location /body { reset_timedout_connection on; proxy_pass http://127.0.0.1:1; }
                    }
                }
                """.formatted(port))) {
            try (Socket s = send(port, "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")) {
                assertThat(end(s)).isEqualTo("eof");
            }
            try (Socket s = send(port, "GET /reset HTTP/1.1\r\nHost: x\r\n\r\n")) {
                assertThat(end(s)).isEqualTo("reset");
            }
            try (Socket s = send(port, "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12")) {
                assertThat(end(s)).as("client_body_timeout").isEqualTo("reset");
            }
        }
    }

    /** How long after the refused answer the server still takes bytes: it writes one every 50 ms until that fails. */
    private static long lingeredMillis(int port, String path) throws Exception {
        try (Socket s = send(port, "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789")) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            byte[] head = new byte[12];
            assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
            assertThat(new String(head, StandardCharsets.ISO_8859_1)).endsWith("413");
            long t0 = System.nanoTime();
            try {
                for (int i = 0; i < 200; i++) {
                    Thread.sleep(50);
                    s.getOutputStream().write('x');
                }
            } catch (IOException closed) {
                // the server closed: the kernel answered our byte with a reset
            }
            return (System.nanoTime() - t0) / 1_000_000;
        }
    }

    @Test
    void lingeringCloseFollowsItsDirectives() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, """
                http {
                    client_max_body_size 5;
                    server {
                        listen 127.0.0.1:%d;
                        location /time { lingering_time 1s; return 200; }
                        location /off { lingering_close off; return 200; }
                    }
                }
                """.formatted(port))) {
            // bytes keep coming every 50 ms, so only lingering_time ends the wait
            assertThat(lingeredMillis(port, "/time")).isBetween(900L, 3000L);
            assertThat(lingeredMillis(port, "/off")).isLessThan(700L);
        }
    }
}
