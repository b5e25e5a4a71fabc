package io.ferry.hardening;

import io.ferry.testing.Closer;
import io.ferry.testing.RawHttpClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow and idle clients are cut off: client_header_timeout, client_body_timeout, keepalive_timeout,
 * keepalive_requests and send_timeout, all set to 1 s (or 3 requests) here and measured.
 */
@Timeout(60)
class TimeoutsIT {
    static final long BIG = 50L * 1024 * 1024;
    @TempDir
    static Path prefix;
    @RegisterExtension
    static final Closer closer = new Closer();
    static HttpEchoBackend backend;
    static ScriptedBackend big;
    /** Upstream of /partial/, which never answers: what Ferry forwarded of a body the client never finished. */
    static BodyRecorder partial;
    static ScriptedBackend partialBackend;
    static FerryInstance ferry;
    static int port;
    /** client_header_timeout 1s, keepalive_timeout 30s. */
    static int longKeepalive;
    static final AtomicLong bigWritten = new AtomicLong();
    static final AtomicLong bigClosedAt = new AtomicLong();

    @BeforeAll
    static void start() throws Exception {
        backend = closer.add(HttpEchoBackend.start());
        big = closer.add(new ScriptedBackend((socket, head) -> {
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + BIG + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            try {
                for (long sent = 0; sent < BIG; sent += chunk.length) {
                    out.write(chunk);
                    bigWritten.addAndGet(chunk.length);
                }
            } finally {
                bigClosedAt.set(System.nanoTime());
            }
        }));
        partial = new BodyRecorder();
        partialBackend = closer.add(new ScriptedBackend(partial));
        port = FerryInstance.freePort();
        longKeepalive = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    client_header_timeout 1s;
                    client_body_timeout 1s;
                    send_timeout 1s;
                    keepalive_timeout 1s;
                    keepalive_requests 3;
                    server {
                        listen 127.0.0.1:%1$d;
                        location / { proxy_pass http://127.0.0.1:%2$d; }
                        # streamed both ways: here the client's pace alone holds the upstream, so the timeouts must free it
                        location /big { proxy_pass http://127.0.0.1:%3$d; proxy_buffering off; }
                        location /partial/ { proxy_pass http://127.0.0.1:%5$d; proxy_request_buffering off; }
                        location /patient/ { proxy_pass http://127.0.0.1:%5$d; proxy_request_buffering off; client_body_timeout 30s; }
                    }
                    server {
                        listen 127.0.0.1:%4$d;
                        keepalive_timeout 30s;
                        location / { return 200 "ok"; }
                    }
                }
                """.formatted(port, backend.port(), big.port(), longKeepalive, partialBackend.port())));
    }

    static void normalRequestSucceeds() throws Exception {
        try (Raw raw = new Raw(port)) {
            RawHttpClient.Response r = raw.send("GET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
    }

    /**
     * Where a 1 s timeout may land: never early; late by up to seconds on a loaded machine, but far
     * below the 30-60 s that a timeout not applied would take (the reads' own socket timeouts, 10-20 s,
     * end such a test first).
     */
    static void cutAfterOneSecond(long millis) {
        assertThat(millis).as("ms until the 1 s timeout acted").isBetween(800L, 8_000L);
    }

    static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void clientDrippingItsHeaderIsCutOffAfterClientHeaderTimeout() throws Exception {
        int requests = backend.requests().size();
        try (Raw raw = new Raw(port, 10_000, -1)) {
            byte[] drip = "GET /drip HTTP/1.1\r\nHost: a\r\nX-Drip: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                    .getBytes(StandardCharsets.US_ASCII);
            long t0 = System.nanoTime();
            Thread dripper = new Thread(() -> {
                try {
                    for (byte b : drip) {
                        raw.output().write(b);
                        raw.output().flush();
                        Thread.sleep(300);
                    }
                } catch (IOException | InterruptedException e) {
                    // cut off: expected
                }
            });
            dripper.setDaemon(true);
            dripper.start();
            int status = raw.statusOrClosed();
            long cutAfter = millisSince(t0);
            if (status != -1) {
                assertThat(raw.closesWithin(5_000)).isTrue();
            }
            dripper.interrupt();
            System.out.printf("[hardening] header drip (1 byte / 300 ms): status %d, cut off after %d ms%n", status, cutAfter);
            assertThat(status).isIn(-1, 408);
            cutAfterOneSecond(cutAfter);
        }
        assertThat(backend.requests()).hasSize(requests);
        normalRequestSucceeds();
    }

    /**
     * The next request on a kept-alive connection gets client_header_timeout from its first byte,
     * even when keepalive_timeout is longer: the idle timer armed for keep-alive must not decide.
     */
    @Test
    void headerDrippedOnAKeptAliveConnectionIsCutOffAfterClientHeaderTimeout() throws Exception {
        try (Raw raw = new Raw(longKeepalive, 20_000, -1)) {
            assertThat(raw.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n").read().header("Connection")).isEqualTo("keep-alive");
            // idle a while first (longer than client_header_timeout, well under keepalive_timeout)
            Thread.sleep(1_500);
            long t0 = System.nanoTime();
            Thread dripper = new Thread(() -> {
                try {
                    for (byte b : "GET /drip HTTP/1.1\r\nHost: a\r\nX-Drip: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII)) {
                        raw.output().write(b);
                        raw.output().flush();
                        Thread.sleep(300);
                    }
                } catch (IOException | InterruptedException e) {
                    // cut off: expected
                }
            });
            dripper.setDaemon(true);
            dripper.start();
            int status = raw.statusOrClosed();
            long cutAfter = millisSince(t0);
            dripper.interrupt();
            System.out.printf("[hardening] header drip on a kept-alive connection (keepalive_timeout 30s): cut off after %d ms%n", cutAfter);
            assertThat(status).isIn(-1, 408);
            cutAfterOneSecond(cutAfter);
        }
    }

    @Test
    void clientSilentAfterConnectingIsCutOffAfterClientHeaderTimeout() throws Exception {
        try (Raw raw = new Raw(port, 10_000, -1)) {
            long t0 = System.nanoTime();
            assertThat(raw.statusOrClosed()).isIn(-1, 408);
            long cutAfter = millisSince(t0);
            System.out.printf("[hardening] silent client: cut off after %d ms%n", cutAfter);
            cutAfterOneSecond(cutAfter);
        }
        normalRequestSucceeds();
    }

    @Test
    void clientStallingItsBodyGets408AfterClientBodyTimeout() throws Exception {
        BodyRecorder.Connection upstream;
        try (Raw raw = new Raw(port, 10_000, -1)) {
            long t0 = System.nanoTime();
            raw.send("POST /partial/stall HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n" + "0123456789");
            int status = raw.statusOrClosed();
            long cutAfter = millisSince(t0);
            System.out.printf("[hardening] body stalled after 10 of 100 bytes: status %d after %d ms%n", status, cutAfter);
            assertThat(status).isIn(-1, 408);
            cutAfterOneSecond(cutAfter);
            assertThat(raw.closesWithin(5_000)).isTrue();
            upstream = partial.next(5_000);
        }
        assertThat(upstream).as("request streamed upstream").isNotNull();
        // once Ferry has closed the upstream connection nothing more can reach it
        assertThat(upstream.awaitEnd(10_000)).as("upstream connection closed by Ferry").isTrue();
        assertThat(upstream.body()).as("what reached the upstream").isEqualTo("0123456789");
        normalRequestSucceeds();
    }

    @Test
    void clientHalfClosingMidBodyIsNoticedAtOnce() throws Exception {
        // nginx: recv() returns 0 while reading the body -> "client prematurely closed connection", request ended.
        // client_body_timeout is 30 s here, so only the half-close can end the request within the bound.
        try (Raw raw = new Raw(port, 40_000, -1)) {
            raw.send("POST /patient/halfclose HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n" + "0123456789");
            BodyRecorder.Connection upstream = partial.next(10_000);
            assertThat(upstream).as("request streamed upstream").isNotNull();
            assertThat(upstream.awaitBody(b -> b.equals("0123456789"), 10_000)).as("partial body forwarded").isTrue();
            long t0 = System.nanoTime();
            raw.socket.shutdownOutput();
            int status = raw.statusOrClosed();
            long ms = millisSince(t0);
            System.out.printf("[hardening] client half-closed after 10 of 100 body bytes: status %d after %d ms%n", status, ms);
            assertThat(status).isIn(-1, 400);
            assertThat(ms).isLessThan(10_000L);
            assertThat(upstream.awaitEnd(10_000)).as("upstream connection closed by Ferry").isTrue();
            assertThat(upstream.body()).isEqualTo("0123456789");
        }
    }

    @Test
    void bodyDrippedFasterThanTheTimeoutIsServed() throws Exception {
        // client_body_timeout bounds the gap between two reads, not the whole body (nginx): 2 s in all,
        // 100 ms gaps, so a loaded machine has 900 ms of slack per gap
        int requests = backend.requests().size();
        try (Raw raw = new Raw(port, 10_000, -1)) {
            raw.send("POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 20\r\nConnection: close\r\n\r\n");
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                Thread.sleep(100);
                raw.send("x");
            }
            assertThat(millisSince(t0)).as("the whole body took longer than client_body_timeout").isGreaterThan(1_000L);
            assertThat(raw.read().status()).isEqualTo(200);
        }
        assertThat(backend.requests()).hasSize(requests + 1);
        assertThat(backend.last().bodyLength()).isEqualTo(20);
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterKeepaliveTimeout() throws Exception {
        try (Raw raw = new Raw(port, 10_000, -1)) {
            RawHttpClient.Response r = raw.send("GET /ka HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Connection")).isEqualTo("keep-alive");
            long t0 = System.nanoTime();
            assertThat(raw.closesWithin(10_000)).isTrue();
            long idle = millisSince(t0);
            System.out.printf("[hardening] idle keep-alive connection closed after %d ms%n", idle);
            cutAfterOneSecond(idle);
        }
    }

    @Test
    void thirdResponseOnOneConnectionClosesIt() throws Exception {
        try (Raw raw = new Raw(port, 5_000, -1)) {
            for (int i = 1; i <= 3; i++) {
                RawHttpClient.Response r = raw.send("GET /n" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("Connection")).as("response %d", i).isEqualTo(i < 3 ? "keep-alive" : "close");
            }
            assertThat(raw.closesWithin(5_000)).isTrue();
        }
    }

    @Test
    void pipelinedRequestsBeyondKeepaliveRequestsAreNotServed() throws Exception {
        int requests = backend.requests().size();
        try (Raw raw = new Raw(port, 5_000, -1)) {
            StringBuilder five = new StringBuilder();
            for (int i = 1; i <= 5; i++) {
                five.append("GET /p").append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
            }
            raw.send(five.toString());
            for (int i = 1; i <= 3; i++) {
                assertThat(raw.read().status()).isEqualTo(200);
            }
            assertThat(raw.closesWithin(5_000)).isTrue();
        }
        assertThat(backend.requests()).hasSize(requests + 3);
    }

    @Test
    void clientThatNeverReadsALargeResponseIsDisconnectedAfterSendTimeout() throws Exception {
        bigWritten.set(0);
        bigClosedAt.set(0);
        long t0;
        long received;
        try (Raw raw = new Raw(port, 10_000, 4096)) {
            t0 = System.nanoTime();
            raw.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
            // never read: wait for the proxy to give up on us and drop the upstream
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (bigClosedAt.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(bigClosedAt.get()).as("upstream connection dropped").isNotZero();
            long upstreamDroppedAfter = (bigClosedAt.get() - t0) / 1_000_000;
            received = raw.drainUntilClosed(10_000);
            System.out.printf("[hardening] send_timeout 1s, client never reads 50 MiB: upstream dropped after %d ms, "
                    + "backend had written %.1f MiB, client then drained %.1f MiB before the close%n",
                    upstreamDroppedAfter, bigWritten.get() / 1048576.0, received / 1048576.0);
            assertThat(received).as("connection closed (not left open)").isNotNegative();
            cutAfterOneSecond(upstreamDroppedAfter);
        }
        assertThat(received).isLessThan(BIG);
        // the proxy stopped reading upstream while the client did not read: it held at most socket buffers, never the 50 MiB
        assertThat(bigWritten.get()).isLessThan(BIG / 2);
        normalRequestSucceeds();
    }
}
