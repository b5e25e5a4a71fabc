package io.ferry.module.chunked;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** chunked_transfer_encoding off on a real Ferry: an answer of unknown length ends with the connection instead of in chunks. */
@Timeout(60)
class ChunkedTransferEncodingIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        ferry.file("off/t.html", "x".repeat(1000));
        ferry.file("on/t.html", "x".repeat(1000));
        ferry.start("""
                events { }
                http {
                    gzip on;
                    server {
                        listen 127.0.0.1:%d;
                        location /off/ { chunked_transfer_encoding off; }
                    }
                }
                """.formatted(ferry.port()));
    }

    private static RawHttpClient.Response gzipped(String path) throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n").read();
        }
    }

    @Test
    void offClosesInsteadOfChunking() throws Exception {
        RawHttpClient.Response r = gzipped("/off/t.html");
        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(r.header("Transfer-Encoding")).isNull();
        assertThat(r.header("Content-Length")).isNull();
        assertThat(r.header("Connection")).isEqualTo("close");
        assertThat(r.body()).isNotEmpty();
    }

    @Test
    void onByDefault() throws Exception {
        RawHttpClient.Response r = gzipped("/on/t.html");
        assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(r.header("Connection")).isEqualTo("keep-alive");
    }
}
