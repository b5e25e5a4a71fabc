package io.ferry.hardening;

import io.ferry.testing.Closer;
import io.ferry.testing.RawHttpClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
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
    @RegisterExtension
    static final Closer closer = new Closer();
    static HttpEchoBackend backend;
    static FerryInstance ferry;
    /** large_client_header_buffers 4 1k; client_max_body_size 1k. */
    static int port;
    /** nginx's defaults: large_client_header_buffers 4 8k; client_max_body_size 1m. */
    static int defaults;
    /** Upstream of /cut/, which never answers: what Ferry forwarded of a body it then refused. */
    static BodyRecorder cut;
    static ScriptedBackend cutBackend;

    @BeforeAll
    static void start() throws Exception {
        backend = closer.add(HttpEchoBackend.start());
        cut = new BodyRecorder();
        cutBackend = closer.add(new ScriptedBackend(cut));
        port = FerryInstance.freePort();
        defaults = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        server_name limits.test;
                        large_client_header_buffers 4 1k;
                        client_max_body_size 1k;
                        location / { proxy_pass http://127.0.0.1:%3$d; }
                        location /cut/ { proxy_pass http://127.0.0.1:%4$d; proxy_request_buffering off; }
                    }
                    server {
                        listen 127.0.0.1:%2$d;
                        server_name defaults.test;
                        location / { proxy_pass http://127.0.0.1:%3$d; }
                    }
                }
                """.formatted(port, defaults, backend.port(), cutBackend.port())));
    }

    /** Sends the request, expects {@code status}, then a closed connection and an untouched backend. */
    static void refused(int onPort, String request, int status) throws Exception {
        int requests = backend.requests().size();
        int connections = backend.connections();
        try (Raw raw = new Raw(onPort, 10_000, -1)) {
            raw.send(request);
            assertThat(raw.statusOrClosed()).isEqualTo(status);
            assertThat(raw.closesWithin(5_000)).as("connection closed").isTrue();
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
    void headerLineLongerThanOneLargeBufferIs431() throws Exception {
        // 1.5k in one line, 1.5k in the whole block: under 4 x 1k, over 1k per line
        refused(port, "GET /h HTTP/1.1\r\nHost: a\r\nCookie: " + "c".repeat(1500) + "\r\n\r\n", 431);
    }

    @Test
    void headerLineLongerThanTheDefault8kIs431() throws Exception {
        refused(defaults, "GET /h HTTP/1.1\r\nHost: a\r\nCookie: " + "c".repeat(12_000) + "\r\n\r\n", 431);
    }

    @Test
    void headerBlockLargerThanAllLargeBuffersIs431() throws Exception {
        // six lines of ~900 bytes: each fits one 1k buffer, together more than 4 x 1k
        refused(port, "GET /h HTTP/1.1\r\nHost: a\r\n" + headers(6, 890) + "\r\n", 431);
    }

    @Test
    void headerBlockLargerThanTheDefault32kIs431() throws Exception {
        refused(defaults, "GET /h HTTP/1.1\r\nHost: a\r\n" + headers(6, 6000) + "\r\n", 431);
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
        try (Raw raw = new Raw(port, 15_000, -1)) {
            // only the head: the answer must not wait for the body (a wait would be client_body_timeout, 60 s,
            // and end the read below in a timeout)
            raw.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 2048\r\n\r\n");
            RawHttpClient.Response r = raw.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(raw.closesWithin(5_000)).isTrue();
        }
        assertThat(backend.requests()).hasSize(requests);
        assertThat(backend.connections()).isEqualTo(connections);
        normalRequestSucceeds(port);
    }

    @Test
    void declaredBodyOverClientMaxBodySizeIs413EvenWhileTheClientSendsIt() throws Exception {
        // Like most clients, this one writes its whole request before it reads. 16 MiB is more than the
        // socket buffers hold, so the write only ends if Ferry reads on after its 413; closing at once
        // would reset the connection and fail the write (hence the lingering close).
        int requests = backend.requests().size();
        try (Raw raw = new Raw(port, 10_000, -1)) {
            raw.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 16777216\r\n\r\n");
            raw.send(new byte[16 * 1024 * 1024]);
            RawHttpClient.Response r = raw.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(raw.closesWithin(5_000)).isTrue();
        }
        assertThat(backend.requests()).hasSize(requests);
        normalRequestSucceeds(port);
    }

    @Test
    void chunkedBodyOverClientMaxBodySizeIs413AndNeverCompletesUpstream() throws Exception {
        String chunk = "200\r\n" + "x".repeat(512) + "\r\n";
        BodyRecorder.Connection upstream;
        try (Raw raw = new Raw(port, 10_000, -1)) {
            raw.send("POST /cut/upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk);
            upstream = cut.next(10_000);
            assertThat(upstream).as("request streamed upstream").isNotNull();
            // 1 KiB, the limit itself, is forwarded before the client sends more
            assertThat(upstream.awaitBody(b -> xs(b) >= 1024, 10_000)).as("first KiB forwarded").isTrue();
            raw.send(chunk + chunk + "0\r\n\r\n");
            assertThat(raw.statusOrClosed()).isEqualTo(413);
            assertThat(raw.closesWithin(5_000)).isTrue();
        }
        // once Ferry has closed the upstream connection nothing more can reach it
        assertThat(upstream.awaitEnd(10_000)).as("upstream connection closed by Ferry").isTrue();
        assertThat(xs(upstream.body())).as("body bytes upstream").isEqualTo(1024);
        assertThat(upstream.body()).as("no end of body upstream").doesNotContain("\r\n0\r\n");
        normalRequestSucceeds(port);
    }

    static long xs(String body) {
        return body.chars().filter(c -> c == 'x').count();
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
