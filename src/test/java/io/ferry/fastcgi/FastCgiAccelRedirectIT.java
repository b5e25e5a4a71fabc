package io.ferry.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** X-Accel-Redirect from a FastCGI responder: the request goes on internally, unless fastcgi_ignore_headers names it. */
@Timeout(60)
class FastCgiAccelRedirectIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        FakeFastCgiServer app = closer.add(new FakeFastCgiServer(r -> new FakeFastCgiServer.Answer(null,
                "X-Accel-Redirect: /target?b=2\r\nContent-Type: text/plain\r\n\r\napp".getBytes(StandardCharsets.ISO_8859_1))));
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%d;
                        location /app { fastcgi_pass 127.0.0.1:%d; }
                        location /raw { fastcgi_pass 127.0.0.1:%2$d; fastcgi_ignore_headers X-Accel-Redirect; }
                        location /target { return 200 "target $request_method $args"; }
                    }
                }
                """.formatted(port, app.port())));
    }

    private static RawHttpClient.Response get(String path) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.get(path);
        }
    }

    @Test
    void theResponderNamesWhereTheRequestGoes() throws Exception {
        RawHttpClient.Response r = get("/app");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("target GET b=2");
    }

    @Test
    void ignoredHeaderLeavesTheResponderAnswering() throws Exception {
        RawHttpClient.Response r = get("/raw");
        assertThat(r.text()).isEqualTo("app");
        assertThat(r.header("X-Accel-Redirect")).isNull();
    }
}
