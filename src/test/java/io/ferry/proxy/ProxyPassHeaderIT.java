package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.http.product.ServerTokens;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The response headers nginx hides from the client by default, and proxy_pass_header letting them through. */
@Timeout(60)
class ProxyPassHeaderIT {
    private static final String UPSTREAM_DATE = "Thu, 01 Jan 2015 00:00:00 GMT";

    @TempDir
    Path prefix;

    @Test
    void hiddenByDefaultAndPassedWhenNamed() throws Exception {
        try (SocketBackend backend = SocketBackend.start(s -> {
            while (SocketBackend.readHead(s.getInputStream()) != null) {
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nServer: upstream-server/1.0\r\nDate: " + UPSTREAM_DATE + "\r\n"
                        + "X-Pad: avoid browser bug\r\nX-Accel-Buffering: no\r\nX-Accel-Expires: 60\r\n"
                        + "Content-Length: 2\r\n\r\nok");
            }
        })) {
            int port = FerryInstance.freePort();
            try (FerryInstance ignored = FerryInstance.start(prefix, """
                    http { server { listen 127.0.0.1:%d;
                        location /hidden { proxy_pass http://127.0.0.1:%d; }
                        location /passed { proxy_pass http://127.0.0.1:%2$d;
                            proxy_pass_header Server; proxy_pass_header date; proxy_pass_header X-Accel-Buffering; }
                    } }
                    """.formatted(port, backend.port()));
                 RawHttpClient client = new RawHttpClient(port)) {
                RawHttpClient.Response hidden = client.get("/hidden");
                assertThat(hidden.status()).isEqualTo(200);
                assertThat(hidden.all("Server")).containsExactly("ferry/" + ServerTokens.VERSION);
                assertThat(hidden.all("Date")).hasSize(1).doesNotContain(UPSTREAM_DATE);
                assertThat(hidden.headers()).doesNotContainKeys("x-pad", "x-accel-buffering", "x-accel-expires");

                RawHttpClient.Response passed = client.get("/passed");
                assertThat(passed.status()).isEqualTo(200);
                // As nginx: the upstream's Server and Date take the place of the proxy's own, never beside them.
                assertThat(passed.all("Server")).containsExactly("upstream-server/1.0");
                assertThat(passed.all("Date")).containsExactly(UPSTREAM_DATE);
                assertThat(passed.all("X-Accel-Buffering")).containsExactly("no");
                assertThat(passed.headers()).doesNotContainKeys("x-pad", "x-accel-expires");
                assertThat(passed.text()).isEqualTo("ok");
            }
        }
    }

    @Test
    void passedButAbsentUpstreamDateAndServerLeaveNone() throws Exception {
        try (SocketBackend backend = SocketBackend.start(s -> {
            while (SocketBackend.readHead(s.getInputStream()) != null) {
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        })) {
            int port = FerryInstance.freePort();
            try (FerryInstance ignored = FerryInstance.start(prefix, """
                    http { server { listen 127.0.0.1:%d;
                        location / { proxy_pass http://127.0.0.1:%d; proxy_pass_header Date; proxy_pass_header Server; }
                    } }
                    """.formatted(port, backend.port()));
                 RawHttpClient client = new RawHttpClient(port)) {
                RawHttpClient.Response r = client.get("/");
                // nginx passes the upstream's none: neither its own Date nor Server stands in
                assertThat(r.headers()).doesNotContainKeys("date", "server");
                assertThat(r.text()).isEqualTo("ok");
            }
        }
    }
}
