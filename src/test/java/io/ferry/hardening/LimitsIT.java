package io.ferry.hardening;

import io.ferry.testing.RawHttpClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Size limits before anything reaches the backend: large_client_header_buffers (request line,
 * one header line, the whole header block), the header count cap, client_max_body_size for
 * declared and chunked bodies.
 */
@Timeout(60)
class LimitsIT {
    @TempDir
    static Path prefix;
    static HttpEchoBackend backend;
    static FerryInstance ferry;
    /** large_client_header_buffers 4 1k; client_max_body_size 1k. */
    static int port;
    /** nginx's defaults: large_client_header_buffers 4 8k; client_max_body_size 1m. */
    static int defaults;
    static LogCapture leaks;

    @BeforeAll
    static void start() throws Exception {
        leaks = LogCapture.of(LogCapture.LEAKS);
        backend = HttpEchoBackend.start();
        port = FerryInstance.freePort();
        defaults = FerryInstance.freePort();
        ferry = FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        server_name limits.test;
                        large_client_header_buffers 4 1k;
                        client_max_body_size 1k;
                        location / { proxy_pass http://127.0.0.1:%3$d; }
                    }
                    server {
                        listen 127.0.0.1:%2$d;
                        server_name defaults.test;
                        location / { proxy_pass http://127.0.0.1:%3$d; }
                    }
                }
                """.formatted(port, defaults, backend.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (ferry != null) {
                ferry.close();
            }
            if (backend != null) {
                backend.close();
            }
            LogCapture.flushLeakReports();
            assertThat(leaks.containing("LEAK:")).isEmpty();
        } finally {
            leaks.close();
        }
    }

    /** Sends the request, expects one of the statuses (or -1: closed without an answer), then a closed connection and an untouched backend. */
    static void refused(int onPort, String request, int... statuses) throws Exception {
        int requests = backend.requests().size();
        int connections = backend.connections();
        try (Raw raw = new Raw(onPort, 5_000, -1)) {
            raw.send(request);
            int status = raw.statusOrClosed();
            assertThat(status).isIn((Object[]) box(statuses));
            assertThat(raw.closesWithin(3_000)).as("connection closed").isTrue();
        }
        assertThat(backend.requests()).hasSize(requests);
        assertThat(backend.connections()).isEqualTo(connections);
        normalRequestSucceeds(onPort);
    }

    static void normalRequestSucceeds(int onPort) throws Exception {
        int before = backend.requests().size();
        try (Raw raw = new Raw(onPort)) {
            RawHttpClient.Response r = raw.send("GET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(backend.requests()).hasSize(before + 1);
    }

    static Integer[] box(int[] statuses) {
        Integer[] out = new Integer[statuses.length];
        for (int i = 0; i < statuses.length; i++) {
            out[i] = statuses[i];
        }
        return out;
    }

    static String headers(int count, int valueLength) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append("X-H").append(i).append(": ").append("v".repeat(valueLength)).append("\r\n");
        }
        return sb.toString();
    }

    /** A configuration Ferry accepts must serve: huge buffer sizes are either refused at load or bounded. */
    static void servesOrIsRefusedAtLoad(String limits) throws Exception {
        int p = FerryInstance.freePort();
        FerryInstance f;
        try {
            f = FerryInstance.start(prefix.resolve("extreme-" + p), """
                    http { server { listen 127.0.0.1:%d; %s location / { return 200 "ok"; } } }
                    """.formatted(p, limits));
        } catch (io.ferry.conf.ConfException e) {
            return; // refused with file:line, as nginx would refuse or bound it
        }
        try (f; Raw raw = new Raw(p, 5_000, -1)) {
            raw.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            assertThat(raw.statusOrClosed()).as("served with " + limits).isEqualTo(200);
        }
    }

    @Test
    void hugeClientHeaderBufferSizeServesOrIsRefused() throws Exception {
        servesOrIsRefusedAtLoad("client_header_buffer_size 3g;");
    }

    @Test
    void hugeLargeClientHeaderBuffersServeOrAreRefused() throws Exception {
        servesOrIsRefusedAtLoad("large_client_header_buffers 4 3g;");
    }

    @Test
    void largeButSaneHeaderBuffersServe() throws Exception {
        servesOrIsRefusedAtLoad("client_header_buffer_size 64k; large_client_header_buffers 8 64k;");
    }

    @Test
    void requestLineLongerThanOneLargeBufferIs414() throws Exception {
        refused(port, "GET /" + "a".repeat(1100) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414);
    }

    @Test
    void requestLineJustUnderOneLargeBufferIsServed() throws Exception {
        try (Raw raw = new Raw(port)) {
            RawHttpClient.Response r = raw.send("GET /" + "a".repeat(900) + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
    }

    @Test
    void requestLineLongerThanTheDefault8kIs414() throws Exception {
        refused(defaults, "GET /" + "a".repeat(8300) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414);
    }

    @Test
    void headerLineLongerThanOneLargeBufferIsRefused() throws Exception {
        // 1.5k in one line, 1.5k in the whole block: under 4 x 1k, over 1k per line
        refused(port, "GET /h HTTP/1.1\r\nHost: a\r\nCookie: " + "c".repeat(1500) + "\r\n\r\n", 400, 431, 494);
    }

    @Test
    void headerLineLongerThanTheDefault8kIsRefused() throws Exception {
        refused(defaults, "GET /h HTTP/1.1\r\nHost: a\r\nCookie: " + "c".repeat(12_000) + "\r\n\r\n", 400, 431, 494);
    }

    @Test
    void headerBlockLargerThanAllLargeBuffersIsRefused() throws Exception {
        // six lines of ~900 bytes: each fits one 1k buffer, together more than 4 x 1k
        refused(port, "GET /h HTTP/1.1\r\nHost: a\r\n" + headers(6, 890) + "\r\n", 400, 431, 494);
    }

    @Test
    void headerBlockLargerThanTheDefault32kIsRefused() throws Exception {
        refused(defaults, "GET /h HTTP/1.1\r\nHost: a\r\n" + headers(6, 6000) + "\r\n", 400, 431, 494);
    }

    @Test
    void moreThanOneHundredHeaderLinesIs431() throws Exception {
        // Host plus 100 more: 101 lines, about 1k in all (under the block limit)
        refused(defaults, "GET /many HTTP/1.1\r\nHost: a\r\n" + headers(100, 1) + "\r\n", 431);
    }

    @Test
    void oneHundredHeaderLinesAreServed() throws Exception {
        int before = backend.requests().size();
        try (Raw raw = new Raw(defaults)) {
            RawHttpClient.Response r = raw.send("GET /hundred HTTP/1.1\r\nHost: a\r\nConnection: close\r\n" + headers(98, 1) + "\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(backend.requests()).hasSize(before + 1);
    }

    @Test
    void declaredBodyOverClientMaxBodySizeIs413BeforeAnyBodyByte() throws Exception {
        int requests = backend.requests().size();
        int connections = backend.connections();
        try (Raw raw = new Raw(port, 5_000, -1)) {
            long t0 = System.nanoTime();
            // only the head: the answer must not wait for the body
            raw.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 2048\r\n\r\n");
            RawHttpClient.Response r = raw.read();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.status()).isEqualTo(413);
            assertThat(ms).as("413 without waiting for the body").isLessThan(2_000);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(raw.closesWithin(3_000)).isTrue();
        }
        assertThat(backend.requests()).hasSize(requests);
        assertThat(backend.connections()).isEqualTo(connections);
        normalRequestSucceeds(port);
    }

    @Test
    void chunkedBodyOverClientMaxBodySizeIsCutOffAndNeverCompletesUpstream() throws Exception {
        int requests = backend.requests().size();
        String chunk = "200\r\n" + "x".repeat(512) + "\r\n";
        try (Raw raw = new Raw(port, 5_000, -1)) {
            raw.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk);
            try {
                raw.send(chunk + chunk + "0\r\n\r\n");
            } catch (java.io.IOException e) {
                // the proxy may already have closed: fine
            }
            int status = raw.statusOrClosed();
            assertThat(status).isIn(413, -1);
            assertThat(raw.closesWithin(3_000)).isTrue();
        }
        Thread.sleep(200);
        assertThat(backend.requests()).as("no complete request upstream").hasSize(requests);
        normalRequestSucceeds(port);
    }

    @Test
    void chunkedBodyUnderClientMaxBodySizeIsForwarded() throws Exception {
        int requests = backend.requests().size();
        try (Raw raw = new Raw(port)) {
            RawHttpClient.Response r = raw.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "200\r\n" + "x".repeat(512) + "\r\n0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(backend.requests()).hasSize(requests + 1);
        assertThat(backend.last().bodyLength()).isEqualTo(512);
    }
}
