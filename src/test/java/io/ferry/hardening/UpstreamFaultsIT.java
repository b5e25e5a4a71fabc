package io.ferry.hardening;

import io.ferry.testing.SocketBackend;
import io.ferry.testing.RawHttpClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstreams that are not HTTP, too big, cut off mid-body or silent: the client gets 502/504 before
 * any byte, or a truncated response and a closed connection after; never a hang, never a
 * complete-looking response.
 */
@Timeout(60)
class UpstreamFaultsIT {
    @TempDir
    static Path prefix;
    static HttpEchoBackend good;
    static ScriptedBackend bad;
    static FerryInstance ferry;
    static int port;
    @RegisterExtension
    static final Closer closer = new Closer();

    @BeforeAll
    static void start() throws Exception {
        good = closer.add(HttpEchoBackend.start());
        bad = closer.add(new ScriptedBackend((s, head) -> { }));
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%d;
                        proxy_buffer_size 4k;
                        proxy_read_timeout 1s;
                        location /ok { proxy_pass http://127.0.0.1:%d; }
                        location / { proxy_pass http://127.0.0.1:%d; }
                    }
                }
                """.formatted(port, good.port(), bad.port())));
    }

    static void normalRequestSucceeds() throws Exception {
        try (Raw raw = new Raw(port)) {
            RawHttpClient.Response r = raw.send("GET /ok/after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
    }

    /** Sends a GET to the misbehaving backend and returns the answer, timing it. */
    static RawHttpClient.Response get(String path, long[] millis) throws IOException {
        try (Raw raw = new Raw(port, 10_000, -1)) {
            long t0 = System.nanoTime();
            RawHttpClient.Response r = raw.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
            millis[0] = (System.nanoTime() - t0) / 1_000_000;
            return r;
        }
    }

    /** All the bytes of one response until the proxy closes the connection (fails if it stays open). */
    static byte[] rawUntilClose(String path) throws IOException {
        try (Raw raw = new Raw(port, 10_000, -1)) {
            raw.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n");
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            long deadline = System.nanoTime() + 8_000_000_000L;
            while (System.nanoTime() < deadline) {
                int n;
                try {
                    n = raw.input().read(buf);
                } catch (SocketException e) {
                    return all.toByteArray(); // reset: closed too
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (n < 0) {
                    return all.toByteArray();
                }
                all.write(buf, 0, n);
            }
            throw new AssertionError("connection still open (a hang) after " + all.size() + " bytes: "
                    + all.toString(StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void responseThatIsNotHttpIs502() throws Exception {
        bad.script((s, head) -> {
            SocketBackend.write(s, "garbage\r\n\r\n");
            Thread.sleep(5_000); // keep the connection open: the answer must not wait for EOF or a timeout
        });
        long[] ms = new long[1];
        RawHttpClient.Response r = get("/garbage", ms);
        System.out.printf("[hardening] non-HTTP upstream answer: %d after %d ms%n", r.status(), ms[0]);
        assertThat(r.status()).isEqualTo(502);
        normalRequestSucceeds();
    }

    @Test
    void responseThatIsNotHttpFollowedByCloseIs502() throws Exception {
        bad.script((s, head) -> SocketBackend.write(s, "garbage\r\n\r\n"));
        long[] ms = new long[1];
        assertThat(get("/garbage-close", ms).status()).isEqualTo(502);
        normalRequestSucceeds();
    }

    @Test
    void binaryUpstreamAnswerIs502() throws Exception {
        bad.script((s, head) -> {
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28, 0x0d, 0x0a, 0x0d, 0x0a});
            Thread.sleep(3_000);
        });
        long[] ms = new long[1];
        assertThat(get("/binary", ms).status()).isEqualTo(502);
        normalRequestSucceeds();
    }

    @Test
    void invalidStatusLineIs502() throws Exception {
        bad.script((s, head) -> {
            SocketBackend.write(s, "HTTP/1.1 abc OK\r\nContent-Length: 2\r\n\r\nok");
            Thread.sleep(3_000);
        });
        long[] ms = new long[1];
        assertThat(get("/status", ms).status()).isEqualTo(502);
        normalRequestSucceeds();
    }

    @Test
    void invalidContentLengthFromUpstreamIs502() throws Exception {
        bad.script((s, head) -> {
            SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!");
            Thread.sleep(3_000);
        });
        long[] ms = new long[1];
        assertThat(get("/cl", ms).status()).isEqualTo(502);
        normalRequestSucceeds();
    }

    @Test
    void upstreamHeaderBlockLargerThanProxyBufferSizeIs502() throws Exception {
        bad.script((s, head) -> {
            StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\n");
            for (int i = 0; i < 6; i++) {
                sb.append("X-Big-").append(i).append(": ").append("b".repeat(1000)).append("\r\n");
            }
            sb.append("Content-Length: 2\r\n\r\nok");
            SocketBackend.write(s, sb.toString());
            Thread.sleep(3_000);
        });
        long[] ms = new long[1];
        RawHttpClient.Response r = get("/huge-header", ms);
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.header("X-Big-0")).isNull();
        normalRequestSucceeds();
    }

    @Test
    void upstreamHeaderBlockUnderProxyBufferSizeIsPassed() throws Exception {
        bad.script((s, head) -> {
            SocketBackend.write(s, "HTTP/1.1 200 OK\r\nX-Fits: " + "f".repeat(3000) + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        });
        long[] ms = new long[1];
        RawHttpClient.Response r = get("/fits", ms);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("ok");
    }

    @Test
    void upstreamDyingMidContentLengthBodyClosesTheClientConnection() throws Exception {
        bad.script((s, head) -> {
            SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + "x".repeat(100));
            // and close
        });
        try (Raw raw = new Raw(port, 10_000, -1)) {
            raw.send("GET /truncated HTTP/1.1\r\nHost: a\r\n\r\n");
            // read the head by hand: the body will never be complete
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = raw.input().read();
                assertThat(c).as("head complete").isNotNegative();
                head.append((char) c);
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 200").contains("Content-Length: 1000000");
            long body = raw.drainUntilClosed(5_000);
            System.out.printf("[hardening] upstream died after 100 of 1000000 bytes: client got %d body bytes, then the close%n", body);
            assertThat(body).as("closed, not hanging").isNotNegative();
            assertThat(body).isLessThan(1_000_000);
        }
        normalRequestSucceeds();
    }

    @Test
    void upstreamDyingMidChunkedBodyNeverSendsTheLastChunk() throws Exception {
        bad.script((s, head) -> {
            SocketBackend.write(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + "y".repeat(100) + "\r\n");
            Thread.sleep(100);
            // and close before "0\r\n\r\n"
        });
        String all = new String(rawUntilClose("/chunked-cut"), StandardCharsets.ISO_8859_1);
        assertThat(all).startsWith("HTTP/1.1 200").contains("chunked");
        assertThat(all).doesNotContain("\r\n0\r\n\r\n");
        normalRequestSucceeds();
    }

    @Test
    void upstreamDyingInsideAChunkNeverSendsTheLastChunk() throws Exception {
        bad.script((s, head) -> {
            SocketBackend.write(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + "y".repeat(50));
        });
        String all = new String(rawUntilClose("/chunk-inside"), StandardCharsets.ISO_8859_1);
        assertThat(all).startsWith("HTTP/1.1 200");
        assertThat(all).doesNotContain("\r\n0\r\n\r\n");
        normalRequestSucceeds();
    }

    @Test
    void upstreamClosingWithoutAnAnswerIs502() throws Exception {
        bad.script((s, head) -> { });
        long[] ms = new long[1];
        assertThat(get("/silent-close", ms).status()).isEqualTo(502);
        normalRequestSucceeds();
    }

    @Test
    void upstreamThatNeverAnswersIs504AfterProxyReadTimeout() throws Exception {
        bad.script((s, head) -> Thread.sleep(6_000));
        long[] ms = new long[1];
        RawHttpClient.Response r = get("/never", ms);
        System.out.printf("[hardening] silent upstream, proxy_read_timeout 1s: %d after %d ms%n", r.status(), ms[0]);
        assertThat(r.status()).isEqualTo(504);
        assertThat(ms[0]).isBetween(800L, 3_000L);
        normalRequestSucceeds();
    }

    @Test
    void upstreamStallingMidBodyIsCutAfterProxyReadTimeout() throws Exception {
        bad.script((s, head) -> {
            SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "z".repeat(10));
            Thread.sleep(6_000);
        });
        long t0 = System.nanoTime();
        String all = new String(rawUntilClose("/stall"), StandardCharsets.ISO_8859_1);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(all).startsWith("HTTP/1.1 200");
        assertThat(all.substring(all.indexOf("\r\n\r\n") + 4)).hasSizeLessThan(1000);
        assertThat(ms).isBetween(800L, 4_000L);
        normalRequestSucceeds();
    }
}
