package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.LogFiles;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** access_log buffer=, flush= and if=, and log_format escape=json, read back from the files Ferry writes. */
@Timeout(60)
class AccessLogOptionsIT {
    @RegisterExtension
    final Closer closer = new Closer();
    static final String PAD = "x".repeat(300);

    @TempDir
    Path prefix;
    FerryInstance ferry;
    int port;

    @BeforeEach
    void start() throws Exception {
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    log_format pad '$request_uri $http_x_pad';
                    log_format plain '$request_uri';
                    log_format json escape=json '{"h":"$http_x_test","uri":"$uri","unset":"$http_x_unset"}';
                    server {
                        listen 127.0.0.1:%d;
                        location /buffer/ { return 200; access_log logs/buffer.log pad buffer=1k flush=1h; }
                        location /flush/ { return 200; access_log logs/flush.log plain buffer=64k flush=3s; }
                        location /if/ { return 200; access_log logs/if.log plain if=$arg_log; }
                        location /json/ { return 200; access_log logs/json.log json; }
                        location /inif/ {
                            access_log logs/outer.log plain;
                            if ($arg_x) { access_log logs/inner.log plain; return 200; }
                            return 200;
                        }
                    }
                }
                """.formatted(port)));
    }

    Path log(String name) {
        return prefix.resolve("logs/" + name);
    }

    @Test
    void bufferedLinesWaitUntilTheBufferIsFull() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            // Three lines of ~310 bytes fit in 1 KiB; each response comes after the previous line was logged.
            for (int i = 1; i <= 3; i++) {
                assertThat(c.send("GET /buffer/" + i + " HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + PAD + "\r\n\r\n")
                        .read().status()).isEqualTo(200);
            }
            assertThat(LogFiles.lines(log("buffer.log"))).isEmpty();
            assertThat(c.send("GET /buffer/4 HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + PAD + "\r\n\r\n").read().status())
                    .isEqualTo(200);
        }
        List<String> lines = LogFiles.awaitLines(log("buffer.log"), 3);
        assertThat(lines.subList(0, 3)).containsExactly("/buffer/1 " + PAD, "/buffer/2 " + PAD, "/buffer/3 " + PAD);
    }

    @Test
    void aBufferedLineIsWrittenOnceItIsFlushTimeOld() throws Exception {
        long t0 = System.nanoTime();
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.get("/flush/a").status()).isEqualTo(200);
        }
        long deadline = t0 + TimeUnit.SECONDS.toNanos(15);
        while (LogFiles.lines(log("flush.log")).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(LogFiles.lines(log("flush.log"))).containsExactly("/flush/a");
        // Without flush=3s, Ferry's default (1 s) would have written it within 2 s.
        assertThat(ms).isBetween(3_000L, 10_000L);
    }

    @Test
    void ifSkipsLinesWhoseConditionIsEmptyOrZero() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            for (String target : List.of("/if/a?log=1", "/if/b?log=0", "/if/c", "/if/d?log=", "/if/e?log=yes", "/if/f?log=00",
                    "/if/last?log=1")) {
                assertThat(c.get(target).status()).isEqualTo(200);
            }
        }
        // Lines are written in request order: a skip that failed would show among the first four.
        assertThat(LogFiles.awaitLines(log("if.log"), 4)).containsExactly("/if/a?log=1", "/if/e?log=yes", "/if/f?log=00", "/if/last?log=1");
    }

    @Test
    void accessLogInsideIfLogsTheRequestsItTakes() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.get("/inif/a?x=1").status()).isEqualTo(200);
            assertThat(c.get("/inif/b").status()).isEqualTo(200);
        }
        assertThat(LogFiles.awaitLines(log("inner.log"), 1)).containsExactly("/inif/a?x=1");
        assertThat(LogFiles.awaitLines(log("outer.log"), 1)).containsExactly("/inif/b");
    }

    @Test
    void escapeJsonEscapesAsNginxDoes() throws Exception {
        // Control bytes in a header are refused with 400 (README, request parsing), so the one that
        // needs a backslash-u escape reaches the log through the decoded $uri, with a UTF-8 "é".
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.send("GET /json/%1F%C3%A9 HTTP/1.1\r\nHost: localhost\r\nX-Test: a\"b\\c\td\r\n\r\n")
                    .read().status()).isEqualTo(200);
        }
        // ngx_escape_json: '"' and '\' get a backslash, \t its short form, other bytes below 0x20
        // six characters with upper-case hex; bytes from 0x7f up pass unchanged (here the
        // two of "é"). An unset variable is empty.
        String expected = "{\"h\":\"a\\\"b\\\\c\\td\",\"uri\":\"/json/\\u001F\u00c3\u00a9\",\"unset\":\"\"}";
        assertThat(LogFiles.awaitLines(log("json.log"), 1)).containsExactly(expected);
    }
}
