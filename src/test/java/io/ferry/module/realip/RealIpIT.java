package io.ferry.module.realip;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where realip's settings come from (the server's first, then the location's, which a content handler
 * sees after the pre-access phase) and X-Forwarded-For over several lines.
 */
class RealIpIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                events { }
                http {
                    set_real_ip_from 127.0.0.1/32;
                    set_real_ip_from 10.0.1.0/24;
                    add_header X-IP $remote_addr;
                    server {
                        listen 127.0.0.1:%d;
                        location / { empty_gif; }
                        location /custom { real_ip_header X-Custom; empty_gif; }
                        location /xff { real_ip_header X-Forwarded-For; empty_gif; }
                        location /xffr {
                            real_ip_header X-Forwarded-For;
                            real_ip_recursive on;
                            empty_gif;
                        }
                    }
                }
                """.formatted(port)));
    }

    static String client(String target, String headers) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.send("GET " + target + " HTTP/1.0\r\nHost: a\r\n" + headers + "\r\n").read().header("X-IP");
        }
    }

    @Test
    void aLocationsOwnHeaderIsUsedWhenTheServersNamesNoClient() throws Exception {
        assertThat(client("/custom", "X-Custom: 192.0.2.1\r\n")).isEqualTo("192.0.2.1");
        assertThat(client("/xff", "X-Forwarded-For: 10.0.0.1, 192.0.2.1\r\n")).isEqualTo("192.0.2.1");
    }

    @Test
    void theServersHeaderDecidesFirst() throws Exception {
        assertThat(client("/custom", "X-Real-IP: 192.0.2.7\r\nX-Custom: 192.0.2.1\r\n")).isEqualTo("192.0.2.7");
        assertThat(client("/", "X-Custom: 192.0.2.1\r\n")).isEqualTo("127.0.0.1");
    }

    @Test
    void severalForwardedForLinesAreOneList() throws Exception {
        assertThat(client("/xff", "X-Forwarded-For: 192.0.2.1\r\nX-Forwarded-For: 127.0.0.1, 10.0.1.1\r\n"))
                .isEqualTo("10.0.1.1");
        assertThat(client("/xffr", "X-Forwarded-For: 10.0.1.1\r\nX-Forwarded-For: 192.0.2.1\r\nX-Forwarded-For: 127.0.0.1\r\n"))
                .isEqualTo("192.0.2.1");
    }
}
