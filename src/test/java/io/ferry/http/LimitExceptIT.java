package io.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * limit_except on a real Ferry: the methods it names pass, the others meet the block's access rules
 * (GET also lets HEAD through), the location's proxy_pass serves both, and a proxy_pass of the
 * block's own takes the limited methods elsewhere.
 */
@Timeout(60)
class LimitExceptIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static HttpEchoBackend backend;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(prefix.resolve("html"));
        Files.writeString(prefix.resolve("html/file"), "file");
        backend = closer.add(HttpEchoBackend.start());
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    access_log off;
                    server {
                        listen 127.0.0.1:%1$d;
                        location /file { limit_except GET { deny all; } }
                        location /proxied {
                            proxy_pass http://127.0.0.1:%2$d/backend;
                            limit_except GET POST { deny all; }
                        }
                        location /elsewhere {
                            proxy_pass http://127.0.0.1:%2$d/replaced;
                            limit_except POST { proxy_pass http://127.0.0.1:%2$d; }
                        }
                    }
                }
                """.formatted(port, backend.port())));
    }

    private static RawHttpClient.Response send(String method, String uri) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send(method + " " + uri + " HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return c.read(method.equals("HEAD"));
        }
    }

    @Test
    void getAndHeadPassTheOthersAreRefused() throws Exception {
        assertThat(send("GET", "/file").text()).isEqualTo("file");
        assertThat(send("HEAD", "/file").status()).isEqualTo(200);
        assertThat(send("POST", "/file").status()).isEqualTo(403);
        assertThat(send("DELETE", "/file").status()).isEqualTo(403);
    }

    @Test
    void theLocationsProxyPassServesTheMethodsLetThrough() throws Exception {
        assertThat(send("POST", "/proxied").status()).isEqualTo(200);
        assertThat(backend.last().uri()).isEqualTo("/backend");
        assertThat(send("PUT", "/proxied").status()).isEqualTo(403);
    }

    @Test
    void theBlocksOwnProxyPassTakesTheLimitedMethods() throws Exception {
        send("GET", "/elsewhere");
        assertThat(backend.last().uri()).isEqualTo("/elsewhere");
        send("POST", "/elsewhere");
        assertThat(backend.last().uri()).isEqualTo("/replaced");
    }
}
