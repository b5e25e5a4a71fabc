package io.ferry.http.v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.H2HeadersClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keepalive_timeout and keepalive_time on an HTTP/2 connection, as nginx ends one. */
class Http2KeepaliveIT {
    private static final String[] GET = {":method", "GET", ":scheme", "http", ":path", "/", ":authority", "localhost"};

    @TempDir
    Path prefix;

    @Test
    void aZeroKeepaliveTimeoutEndsTheConnectionWithItsStream() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, """
                http {
                    http2 on;
                    server {
                        listen 127.0.0.1:%d;
                        keepalive_timeout 0;
                        location / { return 200 ok; }
                    }
                }
                """.formatted(port));
             H2HeadersClient c = new H2HeadersClient(port)) {
            H2HeadersClient.Answer answer = c.request(GET);
            assertThat(answer.body()).isEqualTo("ok");
            // nginx sends it as the stream starts, so it may come before the answer
            assertThat(answer.goAway() != null ? answer.goAway() : c.goAway()).as("GOAWAY NO_ERROR").isEqualTo(0L);
        }
    }

    @Test
    void aStreamPastKeepaliveTimeIsTheLast() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, """
                http {
                    http2 on;
                    server {
                        listen 127.0.0.1:%d;
                        keepalive_time 1s;
                        location / { return 200 ok; }
                    }
                }
                """.formatted(port));
             H2HeadersClient c = new H2HeadersClient(port)) {
            assertThat(c.request(GET).goAway()).as("within keepalive_time").isNull();
            Thread.sleep(1100);
            H2HeadersClient.Answer late = c.request(GET);
            assertThat(late.body()).as("the last stream is still served").isEqualTo("ok");
            Long code = late.goAway() != null ? late.goAway() : c.goAway();
            assertThat(code).isEqualTo(0L);
        }
    }
}
