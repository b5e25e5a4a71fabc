package io.ferry.module.limitconn;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** limit_conn on a real Ferry: a request in progress counts, the next is refused with limit_conn_status, the count ends with the request. */
@Timeout(60)
class LimitConnIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;
    static ServerSocket silent;

    @BeforeAll
    static void start() throws Exception {
        // an upstream that accepts and never answers keeps a request in progress
        silent = closer.add(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        java.nio.file.Path html = java.nio.file.Files.createDirectories(prefix.resolve("html"));
        for (String name : java.util.List.of("one", "dry")) {
            java.nio.file.Files.writeString(html.resolve(name), name);
        }
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    access_log off;
                    limit_conn_zone $binary_remote_addr zone=it_conn:1m;
                    server {
                        listen 127.0.0.1:%d;
                        add_header X-Limit $limit_conn_status always;
                        location /held { limit_conn it_conn 1; proxy_pass http://127.0.0.1:%d; proxy_read_timeout 30s; }
                        location /one { limit_conn it_conn 1; limit_conn_status 429; }
                        location /dry { limit_conn it_conn 1; limit_conn_dry_run on; }
                    }
                }
                """.formatted(port, silent.getLocalPort())));
    }

    @Test
    void aRequestInProgressCountsUntilItEnds() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.get("/one").header("x-limit")).isEqualTo("PASSED");
        }
        try (Socket held = new Socket("127.0.0.1", port); Socket upstream = acceptWhile(held)) {
            try (RawHttpClient c = new RawHttpClient(port)) {
                RawHttpClient.Response r = c.get("/one");
                assertThat(r.status()).isEqualTo(429);
                assertThat(r.header("x-limit")).isEqualTo("REJECTED");
                RawHttpClient.Response dry = c.get("/dry");
                assertThat(dry.status()).isEqualTo(200);
                assertThat(dry.header("x-limit")).isEqualTo("REJECTED_DRY_RUN");
            }
            upstream.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            held.getInputStream().read();
            Thread.sleep(100);
            try (RawHttpClient c = new RawHttpClient(port)) {
                assertThat(c.get("/one").status()).isEqualTo(200);
            }
        }
    }

    private static Socket acceptWhile(Socket held) throws Exception {
        OutputStream out = held.getOutputStream();
        out.write("GET /held HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return silent.accept();
    }
}
