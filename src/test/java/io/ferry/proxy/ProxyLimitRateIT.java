package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** proxy_limit_rate: a buffered body is read from the upstream no faster than the rate. */
@Timeout(60)
class ProxyLimitRateIT {
    private static final String BODY = "X".repeat(40000);

    @TempDir
    Path prefix;

    @Test
    void theBodyTakesAsLongAsTheRateNeedsAndAKeptConnectionServesOnUnlimited() throws Exception {
        try (SocketBackend backend = SocketBackend.start(s -> {
            while (SocketBackend.readHead(s.getInputStream()) != null) {
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY);
            }
        })) {
            int port = FerryInstance.freePort();
            try (FerryInstance ignored = FerryInstance.start(prefix, """
                    http {
                        upstream u { server 127.0.0.1:%2$d; keepalive 1; }
                        server { listen 127.0.0.1:%1$d;
                            proxy_limit_rate 20000;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            location / { proxy_pass http://u; }
                            location /unlimited { proxy_pass http://u; proxy_limit_rate 0; }
                            location /unbuffered { proxy_pass http://u; proxy_buffering off; }
                        }
                    }
                    """.formatted(port, backend.port()));
                 RawHttpClient client = new RawHttpClient(port)) {
                long start = System.nanoTime();
                assertThat(client.get("/").text()).isEqualTo(BODY);
                // 20000 bytes in the first second, the rest in the next one, as nginx counts
                assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(900);

                start = System.nanoTime();
                assertThat(client.get("/unlimited").text()).isEqualTo(BODY);
                assertThat(client.get("/unbuffered").text()).isEqualTo(BODY);
                assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(900);
                assertThat(backend.connections()).isEqualTo(1);
            }
        }
    }
}
