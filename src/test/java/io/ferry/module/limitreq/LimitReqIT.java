package io.ferry.module.limitreq;

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

/** limit_req on a real Ferry: nodelay bursts then refusals with limit_req_status, a delayed request, dry run, $limit_req_status. */
@Timeout(60)
class LimitReqIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        java.nio.file.Path html = java.nio.file.Files.createDirectories(prefix.resolve("html"));
        for (String name : java.util.List.of("nodelay", "delay", "dry", "key")) {
            java.nio.file.Files.writeString(html.resolve(name), name);
        }
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    access_log off;
                    limit_req_zone $binary_remote_addr zone=it_slow:1m rate=1r/m;
                    limit_req_zone $binary_remote_addr zone=it_fast:1m rate=10r/s;
                    limit_req_zone $binary_remote_addr zone=it_dry:1m rate=1r/m;
                    limit_req_zone $arg_k zone=it_key:1m rate=1r/m;
                    server {
                        listen 127.0.0.1:%d;
                        add_header X-Limit $limit_req_status always;
                        location /nodelay { limit_req zone=it_slow burst=1 nodelay; limit_req_status 429; }
                        location /delay { limit_req zone=it_fast burst=5; }
                        location /dry { limit_req zone=it_dry; limit_req_dry_run on; }
                        location /key { limit_req zone=it_key; }
                    }
                }
                """.formatted(port)));
    }

    @Test
    void aBurstPassesAtOnceThenTheStatusRefuses() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.get("/nodelay").header("x-limit")).isEqualTo("PASSED");
            assertThat(c.get("/nodelay").header("x-limit")).isEqualTo("PASSED");
            RawHttpClient.Response r = c.get("/nodelay");
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.header("x-limit")).isEqualTo("REJECTED");
        }
    }

    @Test
    void aRequestOverTheRateWaitsOnATimer() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.get("/delay").header("x-limit")).isEqualTo("PASSED");
            long t0 = System.nanoTime();
            RawHttpClient.Response r = c.get("/delay");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-limit")).isEqualTo("DELAYED");
            assertThat(ms).isBetween(40L, 5000L);
        }
    }

    @Test
    void dryRunOnlyTellsAndAnEmptyKeyIsNotLimited() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.get("/dry");
            RawHttpClient.Response r = c.get("/dry");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-limit")).isEqualTo("REJECTED_DRY_RUN");
            for (int i = 0; i < 3; i++) {
                assertThat(c.get("/key").status()).isEqualTo(200);
            }
            assertThat(c.get("/key?k=a").status()).isEqualTo(200);
            assertThat(c.get("/key?k=a").status()).isEqualTo(503);
        }
    }
}
