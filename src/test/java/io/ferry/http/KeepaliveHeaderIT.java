package io.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keepalive_timeout's second argument: "Keep-Alive: timeout=N" on kept connections only, inherited. */
class KeepaliveHeaderIT {
    @TempDir
    Path prefix;

    @Test
    void headerTimeoutIsSentWhileTheConnectionIsKept() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, """
                http {
                    keepalive_timeout 75s 1m;
                    server {
                        listen 127.0.0.1:%d;
                        location / { return 200 ok; }
                        location /own { keepalive_timeout 30s; return 200 ok; }
                    }
                }
                """.formatted(port));
             RawHttpClient c = new RawHttpClient(port)) {
            RawHttpClient.Response kept = c.get("/");
            assertThat(kept.header("Connection")).isEqualTo("keep-alive");
            assertThat(kept.header("Keep-Alive")).isEqualTo("timeout=60");
            assertThat(c.get("/own").header("Keep-Alive")).as("a level with one argument sends none").isNull();
            RawHttpClient.Response closing = c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read();
            assertThat(closing.header("Keep-Alive")).isNull();
        }
    }
}
