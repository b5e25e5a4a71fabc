package io.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A response sent before the request body was read (nginx's discarded request body): the rest of
 * the body is read and dropped and the connection serves the next request; a malformed chunk that
 * already arrived answers 400; a body that never ends closes the connection after lingering_timeout.
 */
class DiscardBodyIT {
    @TempDir
    Path prefix;

    private FerryInstance start(int port) throws Exception {
        return FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%d;
                        location / { return 200 "TEST\\n"; }
                    }
                }
                """.formatted(port));
    }

    @Test
    void unreadBodiesAreDiscardedAndTheConnectionKept() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = start(port); RawHttpClient c = new RawHttpClient(port)) {
            c.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n");
            RawHttpClient.Response first = c.read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("Connection")).isEqualTo("keep-alive");
            // the body comes after the answer, in pieces; then a chunked one, then a plain request
            c.send("01234");
            Thread.sleep(100);
            c.send("56789POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nabcde\r\n0\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(c.read().text()).isEqualTo("TEST\n");
            RawHttpClient.Response last = c.read();
            assertThat(last.text()).isEqualTo("TEST\n");
            assertThat(last.header("Connection")).isEqualTo("close");
        }
    }

    @Test
    void aMalformedChunkAlreadyReceivedIsABadRequest() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = start(port); RawHttpClient c = new RawHttpClient(port)) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nSEE-THIS\r\n0\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(400);
        }
    }

    @Test
    void aBodyThatStopsClosesTheConnectionAfterLingeringTimeout() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = start(port); RawHttpClient c = new RawHttpClient(port)) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
            assertThat(c.read().status()).isEqualTo(200);
            long t0 = System.nanoTime();
            assertThat(c.closedByPeer()).isTrue();
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertThat(waited).as("closed after lingering_timeout (5 s)").isBetween(4_000L, 9_000L);
        }
    }
}
