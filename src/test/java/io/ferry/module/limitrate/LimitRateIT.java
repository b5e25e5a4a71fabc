package io.ferry.module.limitrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.TestTls;
import io.ferry.tls.SelfSignedCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * limit_rate on a real Ferry: a 50000-byte file at 20k a second takes about 1.45 s (the first
 * second's worth goes at once, as nginx), unlimited it takes milliseconds; the bounds are generous.
 */
@Timeout(60)
class LimitRateIT {
    private static final int SIZE = 50_000;
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;
    static int tlsPort;
    static SSLContext tls;
    static byte[] data;

    @BeforeAll
    static void start() throws Exception {
        Path html = Files.createDirectories(prefix.resolve("html"));
        data = new byte[SIZE];
        Arrays.fill(data, (byte) 'x');
        data[SIZE - 1] = 'z';
        Files.write(html.resolve("data"), data);
        Path cert = prefix.resolve("conf/site.crt");
        SelfSignedCertificates.write(cert, prefix.resolve("conf/site.key"), List.of("localhost"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.TRADITIONAL);
        tls = TestTls.trusting(cert);
        port = FerryInstance.freePort();
        tlsPort = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    access_log off;
                    server {
                        listen 127.0.0.1:%1$d;
                        listen 127.0.0.1:%2$d ssl;
                        ssl_certificate site.crt;
                        ssl_certificate_key site.key;
                        location /slow { alias html/data; limit_rate 20k; }
                        location /after { alias html/data; limit_rate 20k; limit_rate_after 100k; }
                        location /var { alias html/data; limit_rate $arg_l; }
                        location /set { alias html/data; set $limit_rate $arg_l; add_header X-Rate $limit_rate; }
                        location /accel { alias html/data; add_header X-Accel-Limit-Rate 20480; }
                        location /proxied { proxy_pass http://127.0.0.1:%1$d/accel; }
                        location /both { alias html/data; add_header X-Accel-Limit-Rate 20480; add_header X-Accel-Redirect /plain; }
                        location /plain { alias html/data; }
                        location /redirected { proxy_pass http://127.0.0.1:%1$d/both; }
                        location /ignoring { proxy_pass http://127.0.0.1:%1$d/accel; proxy_ignore_headers X-Accel-Limit-Rate; }
                    }
                }
                """.formatted(port, tlsPort)));
    }

    private record Timed(RawHttpClient.Response response, long millis) {
    }

    private static Timed get(RawHttpClient c, String target) throws Exception {
        long start = System.nanoTime();
        RawHttpClient.Response r = c.get(target);
        Timed t = new Timed(r, (System.nanoTime() - start) / 1_000_000);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(data);
        return t;
    }

    private static Timed get(String target) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return get(c, target);
        }
    }

    @Test
    void aFileGoesNoFasterThanTheRate() throws Exception {
        assertThat(get("/slow").millis()).isBetween(1000L, 10_000L);
    }

    @Test
    void limitRateAfterLetsTheFirstBytesGoFreely() throws Exception {
        assertThat(get("/after").millis()).isLessThan(900L);
    }

    @Test
    void theRateMayComeFromVariables() throws Exception {
        assertThat(get("/var?l=20k").millis()).isBetween(1000L, 10_000L);
        assertThat(get("/var").millis()).isLessThan(900L);
    }

    @Test
    void setLimitRateAppliesToTheRequestAndReadsBack() throws Exception {
        Timed slow = get("/set?l=20k");
        assertThat(slow.response().header("x-rate")).isEqualTo("20480");
        assertThat(slow.millis()).isBetween(1000L, 10_000L);
        Timed invalid = get("/set?l=fast");
        assertThat(invalid.response().header("x-rate")).isEqualTo("0");
        assertThat(invalid.millis()).isLessThan(900L);
    }

    @Test
    void anUpstreamsXAccelLimitRateLimitsTheClient() throws Exception {
        Timed t = get("/proxied");
        assertThat(t.response().header("x-accel-limit-rate")).isNull();
        assertThat(t.millis()).isBetween(1000L, 10_000L);
    }

    @Test
    void anUpstreamsRateCarriesOverItsXAccelRedirect() throws Exception {
        Timed t = get("/redirected");
        assertThat(t.response().status()).isEqualTo(200);
        assertThat(t.millis()).isBetween(1000L, 10_000L);
    }

    @Test
    void proxyIgnoreHeadersTurnsTheUpstreamsRateOff() throws Exception {
        Timed t = get("/ignoring");
        assertThat(t.response().status()).isEqualTo(200);
        assertThat(t.millis()).isLessThan(900L);
    }

    @Test
    void overTlsToo() throws Exception {
        try (RawHttpClient c = RawHttpClient.tls(tls, tlsPort)) {
            assertThat(get(c, "/slow").millis()).isBetween(1000L, 10_000L);
        }
    }
}
