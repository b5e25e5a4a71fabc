package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * X-Accel-Redirect: an upstream's answer naming a URI or @location sends the request there
 * internally, as GET, unless proxy_ignore_headers names the header. The upstream is a second
 * server of the same Ferry, which sets the header with add_header.
 */
@Timeout(60)
class AccelRedirectIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        port = FerryInstance.freePort();
        int upstream = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        location /to-uri { proxy_pass http://127.0.0.1:%2$d/uri; }
                        location /to-named { proxy_pass http://127.0.0.1:%2$d/named; }
                        location /to-unsafe { proxy_pass http://127.0.0.1:%2$d/unsafe; }
                        location /ignored { proxy_pass http://127.0.0.1:%2$d/uri; proxy_ignore_headers X-Accel-Redirect; }
                        location /target { return 200 "target $request_method $args"; }
                        location @named { return 200 "named $uri"; }
                    }
                    server {
                        listen 127.0.0.1:%2$d;
                        location /uri { add_header X-Accel-Redirect "/target?a=1"; return 204; }
                        location /named { add_header X-Accel-Redirect @named; return 204; }
                        location /unsafe { add_header X-Accel-Redirect /a/../../etc/passwd; return 204; }
                    }
                }
                """.formatted(port, upstream)));
    }

    private static RawHttpClient.Response send(String request) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send(request);
            return c.read();
        }
    }

    @Test
    void aUriIsRedirectedToWithItsArgumentsAsGet() throws Exception {
        RawHttpClient.Response r = send("POST /to-uri HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("target GET a=1");
        assertThat(r.header("X-Accel-Redirect")).isNull();
    }

    @Test
    void aNamedLocationIsServedWithTheUriUnchanged() throws Exception {
        RawHttpClient.Response r = send("GET /to-named HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertThat(r.text()).isEqualTo("named /to-named");
    }

    @Test
    void aUriClimbingOutIsNotFound() throws Exception {
        assertThat(send("GET /to-unsafe HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").status()).isEqualTo(404);
    }

    @Test
    void ignoredHeaderPassesTheAnswerOn() throws Exception {
        assertThat(send("GET /ignored HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").status()).isEqualTo(204);
    }
}
