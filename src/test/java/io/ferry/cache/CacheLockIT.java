package io.ferry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** proxy_cache_lock over real sockets: a cold key reaches the upstream once, however many ask at once. */
@Timeout(120)
class CacheLockIT {
    @TempDir
    Path prefix;

    @Test
    void twoHundredConcurrentRequestsForAColdKeyReachTheBackendOnce() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (SocketBackend backend = SocketBackend.start(s -> {
            while (SocketBackend.readHead(s.getInputStream()) != null) {
                int n = requests.incrementAndGet();
                // slow enough that every client asks while the first is still upstream
                Thread.sleep(1000);
                String body = "request " + n;
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nCache-Control: max-age=300\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body);
            }
        })) {
            int port = FerryInstance.freePort();
            String conf = """
                    http {
                        proxy_cache_path cache keys_zone=one:1m;
                        server { listen 127.0.0.1:%d;
                            add_header X-Cache $upstream_cache_status;
                            location / { proxy_pass http://127.0.0.1:%d; proxy_cache one; proxy_cache_lock on;
                                proxy_cache_lock_timeout 30s; }
                        } }
                    """.formatted(port, backend.port());
            ExecutorService pool = Executors.newFixedThreadPool(200);
            try (FerryInstance ignored = FerryInstance.start(prefix, conf)) {
                List<Future<RawHttpClient.Response>> answers = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    answers.add(pool.submit(() -> {
                        try (RawHttpClient c = new RawHttpClient(port)) {
                            return c.get("/cold");
                        }
                    }));
                }
                int misses = 0;
                for (Future<RawHttpClient.Response> f : answers) {
                    RawHttpClient.Response r = f.get();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.text()).isEqualTo("request 1");
                    if ("MISS".equals(r.header("X-Cache"))) {
                        misses++;
                    } else {
                        assertThat(r.header("X-Cache")).isEqualTo("HIT");
                    }
                }
                assertThat(misses).isEqualTo(1);
                assertThat(requests.get()).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aWaiterWhoseLockTimesOutGoesUpstreamAndStoresNothing() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (SocketBackend backend = SocketBackend.start(s -> {
            while (SocketBackend.readHead(s.getInputStream()) != null) {
                int n = requests.incrementAndGet();
                Thread.sleep(n == 1 ? 1500 : 0);
                String body = "request " + n;
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nCache-Control: max-age=300\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body);
            }
        })) {
            int port = FerryInstance.freePort();
            String conf = """
                    http {
                        proxy_cache_path cache keys_zone=one:1m;
                        server { listen 127.0.0.1:%d;
                            add_header X-Cache $upstream_cache_status;
                            location / { proxy_pass http://127.0.0.1:%d; proxy_cache one; proxy_cache_lock on;
                                proxy_cache_lock_timeout 200ms; }
                        } }
                    """.formatted(port, backend.port());
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try (FerryInstance ignored = FerryInstance.start(prefix, conf)) {
                Future<RawHttpClient.Response> first = pool.submit(() -> RawHttpClient.getOnce(port, "/t"));
                while (requests.get() == 0) {
                    Thread.sleep(10);
                }
                RawHttpClient.Response waiter = RawHttpClient.getOnce(port, "/t");
                assertThat(waiter.text()).isEqualTo("request 2");
                assertThat(waiter.header("X-Cache")).isEqualTo("MISS");
                assertThat(first.get().text()).isEqualTo("request 1");
                RawHttpClient.Response later = RawHttpClient.getOnce(port, "/t");
                assertThat(later.text()).isEqualTo("request 1");
                assertThat(later.header("X-Cache")).isEqualTo("HIT");
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
