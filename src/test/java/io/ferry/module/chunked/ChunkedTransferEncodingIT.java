package io.ferry.module.chunked;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** chunked_transfer_encoding off on a real Ferry: an answer of unknown length ends with the connection instead of in chunks. */
@Timeout(60)
class ChunkedTransferEncodingIT {
    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(prefix.resolve("html/off"));
        Files.createDirectories(prefix.resolve("html/on"));
        Files.writeString(prefix.resolve("html/off/t.html"), "x".repeat(1000));
        Files.writeString(prefix.resolve("html/on/t.html"), "x".repeat(1000));
        port = FerryInstance.freePort();
        ferry = FerryInstance.start(prefix, """
                events { }
                http {
                    gzip on;
                    server {
                        listen 127.0.0.1:%d;
                        location /off/ { chunked_transfer_encoding off; }
                    }
                }
                """.formatted(port));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ferry != null) {
            ferry.close();
        }
    }

    private static RawHttpClient.Response gzipped(String path) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
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
