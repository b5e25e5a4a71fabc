package io.ferry.http.v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.H2HeadersClient;
import io.ferry.testing.H2HeadersClient.Answer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stream's request header block read as nginx reads it: its checks, its limits, its variables. */
class Http2RequestHeadersIT {
    private static final String[] GET = {":method", "GET", ":scheme", "http", ":path", "/"};

    @TempDir
    Path prefix;

    private static String[] get(String... more) {
        String[] all = new String[GET.length + more.length];
        System.arraycopy(GET, 0, all, 0, GET.length);
        System.arraycopy(more, 0, all, GET.length, more.length);
        return all;
    }

    @Test
    void checksAuthorityPathAndVariables() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, """
                http {
                    http2 on;
                    server {
                        listen 127.0.0.1:%d;
                        underscores_in_headers on;
                        add_header X-Sent-Foo $http_x_foo always;
                        location / { return 200 "$http2 $host"; }
                    }
                }
                """.formatted(port));
             H2HeadersClient c = new H2HeadersClient(port)) {
            Answer plain = c.request(get(":authority", "localhost"));
            assertThat(plain.status()).isEqualTo("200");
            assertThat(plain.body()).as("$http2 on a cleartext connection").isEqualTo("h2c localhost");
            assertThat(c.request(get(":authority", "localhost", "host", "localhost")).status()).isEqualTo("200");
            assertThat(c.request(get(":authority", "localhost", "host", "other")).status())
                    .as(":authority and Host differ").isEqualTo("400");
            assertThat(c.request(":method", "GET", ":scheme", "http", ":path", "/x\u0002", ":authority", "localhost")
                    .status()).as("a control byte in :path").isEqualTo("400");
            assertThat(c.request(get(":authority", "localhost", "x_foo", "bar")).header("x-sent-foo"))
                    .as("$http_x_foo finds x_foo").isEqualTo("bar");
        }
    }

    @Test
    void headerBuffersBoundFieldsAndBlocksByTheirBytes() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, """
                http {
                    http2 on;
                    server {
                        listen 127.0.0.1:%d;
                        large_client_header_buffers 1 512;
                        location / { return 200 ok; }
                    }
                }
                """.formatted(port))) {
            // the pseudo-headers' names and values are 46 bytes: 8 + 458 more make the 512 allowed
            try (H2HeadersClient c = new H2HeadersClient(port)) {
                assertThat(c.request(get(":authority", "localhost", "longname", "x".repeat(458))).status())
                        .isEqualTo("200");
            }
            try (H2HeadersClient c = new H2HeadersClient(port)) {
                assertThat(c.request(get(":authority", "localhost", "longname", "x".repeat(459))).goAway())
                        .as("ENHANCE_YOUR_CALM").isEqualTo(0xbL);
            }
            try (H2HeadersClient c = new H2HeadersClient(port)) {
                assertThat(c.request(get(":authority", "localhost", "name", "x".repeat(513))).goAway())
                        .as("one field longer than a buffer").isEqualTo(0xbL);
            }
        }
    }

    @Test
    void badHpackIsACompressionError() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, """
                http {
                    http2 on;
                    server {
                        listen 127.0.0.1:%d;
                        location / { return 200 ok; }
                    }
                }
                """.formatted(port));
             H2HeadersClient c = new H2HeadersClient(port)) {
            // :method GET, :scheme http, :path / from the static table, then index 70: past both tables
            assertThat(c.requestBlock(new byte[] {(byte) 0x82, (byte) 0x86, (byte) 0x84, (byte) 0xbf}).goAway())
                    .isEqualTo(0x9L);
        }
    }
}
