package io.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Several lines of one header field: how variables read them, and the fields nginx takes once only. */
@Timeout(60)
class MultiHeaderIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        ferry.start("""
                events { }
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        location / {
                            add_header X-Cookie $http_cookie;
                            add_header X-Cookie-Foo $cookie_foo;
                            add_header X-Via $http_via;
                            return 204;
                        }
                        location /s {
                            add_header Cache-Control foo;
                            add_header Cache-Control bar;
                            add_header X-Sent-CC $sent_http_cache_control;
                            return 204;
                        }
                        location /u {
                            add_header X-Set-Cookie $upstream_http_set_cookie;
                            add_header X-Up-Bar $upstream_cookie_bar;
                            proxy_pass http://127.0.0.1:%1$d/backend;
                        }
                        location /backend {
                            add_header Set-Cookie "foo=1; Path=/";
                            add_header Set-Cookie "bar=2; HttpOnly";
                            return 204;
                        }
                    }
                }
                """.formatted(ferry.port()));
    }

    private static RawHttpClient.Response get(String target, String... headers) throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            return c.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + String.join("", java.util.Arrays.stream(headers).map(h -> h + "\r\n").toList()) + "\r\n").read();
        }
    }

    @Test
    void requestCookiesJoinWithSemicolonsAndOtherFieldsWithCommas() throws Exception {
        RawHttpClient.Response r = get("/", "Cookie: foo=1, qux=0", "Cookie: bar=2", "Via: a", "Via: b");
        assertThat(r.header("X-Cookie")).isEqualTo("foo=1, qux=0; bar=2");
        assertThat(r.header("X-Cookie-Foo")).isEqualTo("1, qux=0");
        assertThat(r.header("X-Via")).isEqualTo("a, b");
    }

    @Test
    void addHeaderSeesTheFieldsAddedBeforeIt() throws Exception {
        assertThat(get("/s").header("X-Sent-CC")).isEqualTo("foo, bar");
    }

    @Test
    void upstreamSetCookieLinesJoinAndGiveTheirCookies() throws Exception {
        RawHttpClient.Response r = get("/u");
        assertThat(r.header("X-Set-Cookie")).isEqualTo("foo=1; Path=/, bar=2; HttpOnly");
        assertThat(r.header("X-Up-Bar")).isEqualTo("2");
        assertThat(r.all("Set-Cookie")).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range",
            "Content-Range", "Expect", "Authorization", "Proxy-Authorization", "Transfer-Encoding"})
    void aSecondLineOfAFieldTakenOnceIsABadRequest(String name) throws Exception {
        assertThat(get("/", name + ": foo", name + ": bar").status()).isEqualTo(400);
    }

    @Test
    void oneUnknownTransferCodingIsStillNotImplemented() throws Exception {
        assertThat(get("/", "Transfer-Encoding: foo").status()).isEqualTo(501);
    }
}
