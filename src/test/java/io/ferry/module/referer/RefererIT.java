package io.ferry.module.referer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** valid_referers on a real Ferry: $invalid_referer per request, refusing with if, set, server_names. */
@Timeout(60)
class RefererIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        ferry.start("""
                events { }
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        server_name localhost ~^img[0-9]+\\.example\\.org$;
                        location /plain { return 200 "[$invalid_referer]"; }
                        location /images/ {
                            valid_referers none blocked server_names *.example.com www.partner.org/gallery/ ~\\.search\\.;
                            if ($invalid_referer) {
                                return 403;
                            }
                            return 200 "ok";
                        }
                        location /reset {
                            valid_referers www.example.com;
                            set $invalid_referer "";
                            return 200 "[$invalid_referer]";
                        }
                    }
                }
                """.formatted(ferry.port()));
    }

    private static int status(String path, String referer) throws Exception {
        return response(path, referer).status();
    }

    private static RawHttpClient.Response response(String path, String referer) throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                    + (referer == null ? "" : "Referer: " + referer + "\r\n") + "\r\n").read();
        }
    }

    @Test
    void withoutValidReferersEveryRequestIsValid() throws Exception {
        assertThat(response("/plain", "http://anywhere.net/").text()).isEqualTo("[]");
    }

    @Test
    void listedReferersPassAndOthersAreRefused() throws Exception {
        assertThat(status("/images/a.png", null)).isEqualTo(200);
        assertThat(status("/images/a.png", "stripped-by-a-proxy")).isEqualTo(200);
        assertThat(status("/images/a.png", "http://localhost/page")).isEqualTo(200);
        assertThat(status("/images/a.png", "https://img12.example.org/")).isEqualTo(200);
        assertThat(status("/images/a.png", "http://cdn.EXAMPLE.com:8443/x")).isEqualTo(200);
        assertThat(status("/images/a.png", "http://www.partner.org/gallery/1")).isEqualTo(200);
        assertThat(status("/images/a.png", "https://www.search.net/?q=x")).isEqualTo(200);

        assertThat(status("/images/a.png", "http://www.partner.org/other/1")).isEqualTo(403);
        assertThat(status("/images/a.png", "http://example.com/")).isEqualTo(403);
        assertThat(status("/images/a.png", "http://img.example.org/")).isEqualTo(403);
        assertThat(status("/images/a.png", "http://evil.net/")).isEqualTo(403);
    }

    @Test
    void theFirstRefererLineIsTheOneJudged() throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            RawHttpClient.Response r = c.send("GET /images/a HTTP/1.1\r\nHost: localhost\r\n"
                    + "Referer: http://evil.net/\r\nReferer: http://localhost/\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(403);
        }
    }

    @Test
    void setAssignsTheVariable() throws Exception {
        assertThat(response("/reset", "http://evil.net/").text()).isEqualTo("[]");
    }
}
