package io.ferry.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.RawHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** proxy_pass with variables against a real DNS server on UDP: groups by name, addresses, resolver answers and errors. */
@Timeout(60)
class ResolverIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();
    static HttpEchoBackend backend;
    static TestDnsServer dns;
    static int noResolverPort;

    @BeforeAll
    static void start() throws Exception {
        backend = HttpEchoBackend.start();
        dns = new TestDnsServer()
                .add("app.test", 3600, "127.0.0.1")
                .add("cache.test", 3600, "127.0.0.1")
                .add("short.test", 0, "127.0.0.1")
                .add("both.test", 3600, "127.0.0.1", "::1")
                .add("two.test", 3600, "127.0.0.2", "127.0.0.1")
                .add("broken.test", 3600, "SERVFAIL")
                .add("slow.test", 3600, "SILENT");
        noResolverPort = FerryInstance.freePort();
        ferry.start("""
                events { }
                http {
                    upstream named { server 127.0.0.1:%1$d; }
                    server {
                        listen 127.0.0.1:%2$d;
                        add_header X-Addr $upstream_addr always;
                        add_header X-Proxy-Host $proxy_host always;
                        resolver 127.0.0.1:%3$d valid=30s ipv6=off;
                        resolver_timeout 1s;
                        location /dns/ { proxy_pass http://$arg_h:%1$d; }
                        location /dns6/ { resolver 127.0.0.1:%3$d; proxy_pass http://$arg_h:%1$d; }
                        location /ttl/ { resolver 127.0.0.1:%3$d ipv6=off; proxy_pass http://$arg_h:%1$d; }
                        location /url/ { proxy_pass http://$arg_u; }
                        location /implicit/ { proxy_pass http://localhost:%1$d; }
                        location /raw/ { proxy_pass $arg_u; }
                    }
                    server {
                        listen 127.0.0.1:%4$d;
                        location / { proxy_pass http://$arg_h:%1$d; }
                    }
                }
                """.formatted(backend.port(), ferry.port(), dns.port(), noResolverPort));
    }

    @AfterAll
    static void stop() throws Exception {
        backend.close();
        dns.close();
    }

    private static RawHttpClient.Response get(String target) throws Exception {
        return ferry.get(target);
    }

    @Test
    void aResolvedNameReachesItsAddressWithTheRequestUriUnchanged() throws Exception {
        RawHttpClient.Response r = get("/dns/x?h=app.test");
        assertThat(r.status()).isEqualTo(200);
        assertThat(backend.last().uri()).isEqualTo("/dns/x?h=app.test");
        assertThat(backend.last().headers().get("Host")).isEqualTo("app.test:" + backend.port());
        assertThat(r.header("X-Proxy-Host")).isEqualTo("app.test:" + backend.port());
        assertThat(r.header("X-Addr")).isEqualTo("127.0.0.1:" + backend.port());
    }

    @Test
    void validKeepsAnAnswerAndIpv6OffAsksNoAaaa() throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            assertThat(c.get("/dns/?h=cache.test").status()).isEqualTo(200);
            assertThat(c.get("/dns/?h=cache.test").status()).isEqualTo(200);
        }
        assertThat(dns.asked("cache.test", "A")).isEqualTo(1);
        assertThat(dns.asked("cache.test", "AAAA")).isZero();
    }

    @Test
    void aZeroTtlAnswerIsAskedAgain() throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            assertThat(c.get("/ttl/?h=short.test").status()).isEqualTo(200);
            assertThat(c.get("/ttl/?h=short.test").status()).isEqualTo(200);
        }
        assertThat(dns.asked("short.test", "A")).isEqualTo(2);
    }

    @Test
    void withIpv6OnBothFamiliesAreAskedAndTried() throws Exception {
        RawHttpClient.Response r = get("/dns6/?h=both.test");
        assertThat(r.status()).isEqualTo(200);
        assertThat(dns.asked("both.test", "AAAA")).isEqualTo(1);
        assertThat(r.header("X-Addr")).contains("127.0.0.1:" + backend.port());
    }

    @Test
    void aFailedAddressPassesTheRequestToTheNext() throws Exception {
        for (int i = 0; i < 2; i++) {
            RawHttpClient.Response r = get("/dns/?h=two.test");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-Addr")).endsWith("127.0.0.1:" + backend.port());
        }
    }

    @Test
    void resolverErrorsAre502WithNginxsLogLines() throws Exception {
        try (ErrorLogLines log = ErrorLogLines.capture()) {
            assertThat(get("/dns/?h=missing.test").status()).isEqualTo(502);
            assertThat(get("/dns/?h=broken.test").status()).isEqualTo(502);
            assertThat(get("/dns/?h=slow.test").status()).isEqualTo(502);
            assertThat(log.count("missing.test could not be resolved (3: Host not found)")).isEqualTo(1);
            assertThat(log.count("broken.test could not be resolved (2: Server failure)")).isEqualTo(1);
            assertThat(log.count("slow.test could not be resolved (110: Operation timed out)")).isEqualTo(1);
        }
    }

    @Test
    void withoutResolverANameIs502() throws Exception {
        try (ErrorLogLines log = ErrorLogLines.capture(); RawHttpClient c = new RawHttpClient(noResolverPort)) {
            assertThat(c.get("/?h=app.test").status()).isEqualTo(502);
            assertThat(log.count("no resolver defined to resolve app.test")).isEqualTo(1);
        }
    }

    @Test
    void anUpstreamNameOrAnImplicitGroupNeedsNoResolver() throws Exception {
        RawHttpClient.Response r = get("/url/?u=named/replaced?a=1");
        assertThat(r.status()).isEqualTo(200);
        assertThat(backend.last().uri()).isEqualTo("/replaced?a=1");
        assertThat(r.header("X-Proxy-Host")).isEqualTo("named");
        try (RawHttpClient c = new RawHttpClient(noResolverPort)) {
            assertThat(c.get("/?h=localhost").status()).isEqualTo(200);
        }
        assertThat(dns.asked("named", "A") + dns.asked("localhost", "A")).isZero();
    }

    @Test
    void anAddressNeedsNoResolverAndABadUrlIs500() throws Exception {
        assertThat(get("/url/?u=127.0.0.1:" + backend.port()).status()).isEqualTo(200);
        assertThat(backend.last().uri()).isEqualTo("/url/?u=127.0.0.1:" + backend.port());
        try (ErrorLogLines log = ErrorLogLines.capture()) {
            assertThat(get("/raw/?u=ftp://x").status()).isEqualTo(500);
            assertThat(log.count("invalid URL prefix in \"ftp://x\"")).isEqualTo(1);
        }
    }
}
