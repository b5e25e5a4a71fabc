package io.ferry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** proxy_cache_use_stale over real sockets: an expired entry answers for a failed, erring or busy upstream. */
@Timeout(60)
class StaleCacheIT {
    @TempDir
    Path prefix;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    /** How the upstream answers now: "ok", "500", or "slow" (1.5 s before the answer). */
    private volatile String mode = "ok";
    private SocketBackend backend;

    @BeforeEach
    void upstream() throws Exception {
        backend = SocketBackend.start(s -> {
            String head;
            while ((head = SocketBackend.readHead(s.getInputStream())) != null) {
                String target = head.split(" ")[1];
                int n = hits.computeIfAbsent(target, k -> new AtomicInteger()).incrementAndGet();
                String body = target + " #" + n;
                if (mode.equals("slow")) {
                    try {
                        Thread.sleep(1500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                String status = mode.equals("500") ? "500 Internal Server Error" : "200 OK";
                String extension = target.contains("sie") && mode.equals("ok") ? "Cache-Control: max-age=1, stale-if-error=30\r\n" : "";
                SocketBackend.write(s, "HTTP/1.1 " + status + "\r\n" + extension + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        backend.close();
    }

    private String conf(int port, String extra) {
        return """
                http {
                    proxy_cache_path cache keys_zone=one:1m;
                    server { listen 127.0.0.1:%d;
                        add_header X-Cache $upstream_cache_status always;
                        location / { proxy_pass http://127.0.0.1:%d; proxy_cache one; proxy_cache_valid 200 1s;
                            proxy_cache_use_stale error http_500 updating; %s }
                        location /off/ { proxy_pass http://127.0.0.1:%2$d; proxy_cache one; proxy_cache_valid 200 1s;
                            proxy_cache_use_stale off; }
                        location /bg/ { proxy_pass http://127.0.0.1:%2$d; proxy_cache one; proxy_cache_valid 200 1s;
                            proxy_cache_use_stale updating; proxy_cache_background_update on; }
                    } }
                """.formatted(port, backend.port(), extra);
    }

    @Test
    void anExpiredEntryAnswersFor500AndForAnUpstreamThatIsGone() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, ""));
             RawHttpClient client = new RawHttpClient(port)) {
            assertThat(client.get("/a").header("X-Cache")).isEqualTo("MISS");
            assertThat(client.get("/off/a").header("X-Cache")).isEqualTo("MISS");
            Thread.sleep(1100);
            mode = "500";
            RawHttpClient.Response erring = client.get("/a");
            assertThat(erring.status()).isEqualTo(200);
            assertThat(erring.header("X-Cache")).isEqualTo("STALE");
            assertThat(erring.text()).isEqualTo("/a #1");
            RawHttpClient.Response notAllowed = client.get("/off/a");
            assertThat(notAllowed.status()).isEqualTo(500);
            assertThat(notAllowed.header("X-Cache")).isEqualTo("EXPIRED");

            backend.close();
            RawHttpClient.Response gone = client.get("/a");
            assertThat(gone.status()).isEqualTo(200);
            assertThat(gone.header("X-Cache")).isEqualTo("STALE");
            assertThat(gone.text()).isEqualTo("/a #1");
            assertThat(client.get("/off/a").status()).isEqualTo(502);
        }
    }

    @Test
    void whileOneRequestRefreshesTheOthersGetUpdating() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, ""));
             RawHttpClient refreshing = new RawHttpClient(port);
             RawHttpClient other = new RawHttpClient(port)) {
            assertThat(refreshing.get("/b").header("X-Cache")).isEqualTo("MISS");
            Thread.sleep(1100);
            mode = "slow";
            refreshing.send("GET /b HTTP/1.1\r\nHost: l\r\n\r\n");
            Thread.sleep(400);
            long asked = System.nanoTime();
            RawHttpClient.Response updating = other.get("/b");
            assertThat(updating.header("X-Cache")).isEqualTo("UPDATING");
            assertThat(updating.text()).isEqualTo("/b #1");
            assertThat(System.nanoTime() - asked).isLessThan(1_000_000_000L);
            RawHttpClient.Response refreshed = refreshing.read();
            assertThat(refreshed.header("X-Cache")).isEqualTo("EXPIRED");
            assertThat(refreshed.text()).isEqualTo("/b #2");
            assertThat(other.get("/b").header("X-Cache")).isEqualTo("HIT");
        }
    }

    @Test
    void aBackgroundUpdateAnswersStaleAtOnceAndRefreshesTheEntryBehindIt() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, ""))) {
            assertThat(RawHttpClient.getOnce(port, "/bg/c").header("X-Cache")).isEqualTo("MISS");
            Thread.sleep(1100);
            mode = "slow";
            long asked = System.nanoTime();
            RawHttpClient.Response stale = RawHttpClient.getOnce(port, "/bg/c");
            assertThat(stale.header("X-Cache")).isEqualTo("STALE");
            assertThat(stale.text()).isEqualTo("/bg/c #1");
            assertThat(System.nanoTime() - asked).isLessThan(1_000_000_000L);
            RawHttpClient.Response updating = RawHttpClient.getOnce(port, "/bg/c");
            assertThat(updating.header("X-Cache")).isEqualTo("UPDATING");
            assertThat(updating.text()).isEqualTo("/bg/c #1");
            Thread.sleep(2000);
            mode = "ok";
            RawHttpClient.Response refreshed = RawHttpClient.getOnce(port, "/bg/c");
            assertThat(refreshed.header("X-Cache")).isEqualTo("HIT");
            assertThat(refreshed.text()).isEqualTo("/bg/c #2");
            assertThat(hits.get("/bg/c").get()).isEqualTo(2);
        }
    }

    @Test
    void theNextRequestOnTheConnectionFindsTheBackgroundUpdateDone() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, ""));
             RawHttpClient client = new RawHttpClient(port)) {
            assertThat(client.get("/bg/d").header("X-Cache")).isEqualTo("MISS");
            Thread.sleep(1100);
            mode = "slow";
            RawHttpClient.Response stale = client.get("/bg/d");
            assertThat(stale.header("X-Cache")).isEqualTo("STALE");
            assertThat(stale.text()).isEqualTo("/bg/d #1");
            // nginx's request ends only with its background subrequest: the next one waits for the refresh
            RawHttpClient.Response refreshed = client.get("/bg/d");
            assertThat(refreshed.header("X-Cache")).isEqualTo("HIT");
            assertThat(refreshed.text()).isEqualTo("/bg/d #2");
        }
    }

    @Test
    void aClosingConnectionEndsOnlyAfterTheBackgroundUpdate() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, ""))) {
            assertThat(RawHttpClient.getOnce(port, "/bg/e").header("X-Cache")).isEqualTo("MISS");
            Thread.sleep(1100);
            mode = "slow";
            try (RawHttpClient client = new RawHttpClient(port)) {
                client.send("GET /bg/e HTTP/1.1\r\nHost: l\r\nConnection: close\r\n\r\n");
                RawHttpClient.Response stale = client.read();
                assertThat(stale.header("X-Cache")).isEqualTo("STALE");
                assertThat(stale.text()).isEqualTo("/bg/e #1");
                assertThat(client.closedByPeer()).isTrue();
            }
            RawHttpClient.Response refreshed = RawHttpClient.getOnce(port, "/bg/e");
            assertThat(refreshed.header("X-Cache")).isEqualTo("HIT");
            assertThat(refreshed.text()).isEqualTo("/bg/e #2");
        }
    }

    @Test
    void staleIfErrorCoversAFailedUpstreamButNotA500() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, ""));
             RawHttpClient client = new RawHttpClient(port)) {
            assertThat(client.get("/off/sie").header("X-Cache")).isEqualTo("MISS");
            Thread.sleep(1100);
            mode = "500";
            RawHttpClient.Response erring = client.get("/off/sie");
            assertThat(erring.status()).isEqualTo(500);
            assertThat(erring.header("X-Cache")).isEqualTo("EXPIRED");
            assertThat(erring.text()).isEqualTo("/off/sie #2");

            backend.close();
            RawHttpClient.Response gone = client.get("/off/sie");
            assertThat(gone.status()).isEqualTo(200);
            assertThat(gone.header("X-Cache")).isEqualTo("STALE");
            assertThat(gone.text()).isEqualTo("/off/sie #1");
        }
    }
}
