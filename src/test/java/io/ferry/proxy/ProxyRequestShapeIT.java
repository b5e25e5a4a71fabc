package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What goes upstream under proxy_method, proxy_pass_request_* and proxy_set_body; what proxy_redirect makes of the answer. */
@Timeout(60)
class ProxyRequestShapeIT {
    @TempDir
    Path prefix;

    private static String post(String uri) {
        return "POST " + uri + " HTTP/1.1\r\nHost: h\r\nX-Client: c\r\nContent-Length: 3\r\n\r\nabc";
    }

    @Test
    void methodHeadersAndBodyAsConfigured() throws Exception {
        try (HttpEchoBackend backend = HttpEchoBackend.start()) {
            int port = FerryInstance.freePort();
            try (FerryInstance ignored = FerryInstance.start(prefix, """
                    http { server { listen 127.0.0.1:%d;
                        location /method { proxy_pass http://127.0.0.1:%d; proxy_method $arg_m; }
                        location /noheaders { proxy_pass http://127.0.0.1:%2$d; proxy_pass_request_headers off; }
                        location /nobody { proxy_pass http://127.0.0.1:%2$d; proxy_pass_request_body off; }
                        location /setbody { proxy_pass http://127.0.0.1:%2$d; proxy_set_body "uri=$uri"; }
                    } }
                    """.formatted(port, backend.port()))) {
                try (RawHttpClient client = new RawHttpClient(port)) {
                    assertThat(client.get("/method?m=PUT").status()).isEqualTo(200);
                    assertThat(backend.last().method()).isEqualTo("PUT");
                    assertThat(client.get("/method").status()).isEqualTo(200);
                    assertThat(backend.last().method()).isEqualTo("GET");
                }
                try (RawHttpClient client = new RawHttpClient(port)) {
                    assertThat(client.send(post("/noheaders")).read().status()).isEqualTo(200);
                    HttpEchoBackend.Recorded r = backend.last();
                    assertThat(r.headers().contains("X-Client")).isFalse();
                    assertThat(r.headers().get("Host")).isEqualTo("127.0.0.1:" + backend.port());
                    assertThat(r.bodyLength()).isEqualTo(3);
                }
                try (RawHttpClient client = new RawHttpClient(port)) {
                    assertThat(client.send(post("/nobody")).read().status()).isEqualTo(200);
                    HttpEchoBackend.Recorded r = backend.last();
                    assertThat(r.headers().get("X-Client")).isEqualTo("c");
                    assertThat(r.headers().contains("Content-Length")).isFalse();
                    assertThat(r.bodyLength()).isZero();
                }
                try (RawHttpClient client = new RawHttpClient(port)) {
                    assertThat(client.send(post("/setbody")).read().status()).isEqualTo(200);
                    HttpEchoBackend.Recorded r = backend.last();
                    assertThat(r.headers().get("Content-Length")).isEqualTo("12");
                    assertThat(r.bodyLength()).isEqualTo(12);
                }
            }
        }
    }

    @Test
    void locationAndRefreshRewritten() throws Exception {
        try (SocketBackend backend = SocketBackend.start(s -> {
            String head;
            while ((head = SocketBackend.readHead(s.getInputStream())) != null) {
                String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                String target = "http://127.0.0.1:9/" + path.substring(1);
                SocketBackend.write(s, "HTTP/1.1 302 Found\r\nLocation: " + target + "\r\nRefresh: 5; URL=" + target
                        + "\r\nContent-Length: 0\r\n\r\n");
            }
        })) {
            int port = FerryInstance.freePort();
            try (FerryInstance ignored = FerryInstance.start(prefix, """
                    http { server { listen 127.0.0.1:%d;
                        location /app/ { proxy_pass http://127.0.0.1:%d/;
                            proxy_redirect http://127.0.0.1:9/ /app/; }
                        location /re/ { proxy_pass http://127.0.0.1:%2$d;
                            proxy_redirect ~*^HTTP://[^/]+/re/(.*)$ https://example.com/$1; }
                        location /off/ { proxy_pass http://127.0.0.1:%2$d; proxy_redirect off; }
                    } }
                    """.formatted(port, backend.port()));
                 RawHttpClient client = new RawHttpClient(port)) {
                RawHttpClient.Response app = client.get("/app/x");
                assertThat(app.header("Location")).isEqualTo("http://localhost:" + port + "/app/x");
                assertThat(app.header("Refresh")).isEqualTo("5; URL=/app/x");
                RawHttpClient.Response re = client.get("/re/y");
                assertThat(re.header("Location")).isEqualTo("https://example.com/y");
                assertThat(client.get("/off/z").header("Location")).isEqualTo("http://127.0.0.1:9/off/z");
            }
        }
    }
}
