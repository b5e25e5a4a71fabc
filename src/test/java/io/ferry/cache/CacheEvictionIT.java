package io.ferry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * max_size under load: ten times more distinct keys than the directory may hold, and the manager
 * brings the files on disk back within the limit, keeping the most recently used keys.
 */
@Timeout(60)
class CacheEvictionIT {
    private static final int KEYS = 10_000;
    private static final int CLIENTS = 16;
    private static final int BODY = 2048;
    private static final long MAX_SIZE = 2 * 1024 * 1024;

    @TempDir
    Path prefix;

    @Test
    void tenThousandKeysStayWithinMaxSizeAndTheRecentOnesStayHits() throws Exception {
        String body = "x".repeat(BODY);
        try (SocketBackend backend = SocketBackend.start(s -> {
            while (SocketBackend.readHead(s.getInputStream()) != null) {
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Length: " + BODY + "\r\n\r\n" + body);
            }
        })) {
            int port = FerryInstance.freePort();
            // 2m of keys zone holds about 16,000 keys: only max_size evicts here, never the zone
            String conf = """
                    http {
                        proxy_cache_path cache levels=1:2 keys_zone=one:2m max_size=%d;
                        upstream app { server 127.0.0.1:%d; keepalive 8; }
                        server { listen 127.0.0.1:%d;
                            add_header X-Cache $upstream_cache_status;
                            location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
                                proxy_cache one; proxy_cache_valid 200 1h; }
                        } }
                    """.formatted(MAX_SIZE, backend.port(), port);
            try (FerryInstance ignored = FerryInstance.start(prefix, conf)) {
                requestAll(port);
                Path cache = prefix.resolve("cache");
                // the manager may overshoot between runs, as nginx's does
                await(() -> storedBytes(cache) <= MAX_SIZE);
                long stored = storedBytes(cache);
                assertThat(stored).as("bytes in %s", cache).isLessThanOrEqualTo(MAX_SIZE);
                // eviction goes as far as the limit, not much further: most of max_size is still in use
                assertThat(stored).isGreaterThan(MAX_SIZE / 2);
                try (RawHttpClient client = new RawHttpClient(port)) {
                    for (int i = KEYS - 100; i < KEYS; i++) {
                        RawHttpClient.Response r = client.get("/k/" + i);
                        assertThat(r.header("X-Cache")).as("/k/%d", i).isEqualTo("HIT");
                        assertThat(r.body()).hasSize(BODY);
                    }
                }
            }
        }
    }

    /** A disk with less free space than min_free: the manager deletes every entry, and the key is a MISS again. */
    @Test
    void minFreeBeyondTheDiskEvictsWhatIsStored() throws Exception {
        withTinyEntries("min_free=1000000g", (client, cache) -> {
            assertThat(client.get("/a").header("X-Cache")).isEqualTo("MISS");
            assertThat(client.get("/a").header("X-Cache")).isEqualTo("HIT");
            await(() -> storedBytes(cache) == 0);
            assertThat(storedBytes(cache)).isZero();
            assertThat(client.get("/a").header("X-Cache")).isEqualTo("MISS");
        });
    }

    /** inactive= deletes what was not used for that long, and only that: a recent entry outlives the pass that deletes an old one. */
    @Test
    void inactiveEvictsOnlyTheUnusedEntries() throws Exception {
        withTinyEntries("inactive=2s", (client, cache) -> {
            assertThat(client.get("/old").header("X-Cache")).isEqualTo("MISS");
            Thread.sleep(1500);
            assertThat(client.get("/new").header("X-Cache")).isEqualTo("MISS");
            await(() -> files(cache) <= 1);
            assertThat(client.get("/new").header("X-Cache")).isEqualTo("HIT");
            assertThat(client.get("/old").header("X-Cache")).isEqualTo("MISS");
        });
    }

    /** What a test does with a client of a Ferry caching a backend's 2-byte answers, and the cache's directory. */
    private interface CacheTest {
        void run(RawHttpClient client, Path cache) throws Exception;
    }

    private interface Condition {
        boolean holds() throws IOException;
    }

    /** {@code test} against a cache with {@code params} on its proxy_cache_path line. */
    private void withTinyEntries(String params, CacheTest test) throws Exception {
        try (SocketBackend backend = SocketBackend.start(s -> {
            while (SocketBackend.readHead(s.getInputStream()) != null) {
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        })) {
            int port = FerryInstance.freePort();
            String conf = """
                    http {
                        proxy_cache_path cache keys_zone=one:1m %s;
                        server { listen 127.0.0.1:%d;
                            add_header X-Cache $upstream_cache_status;
                            location / { proxy_pass http://127.0.0.1:%d; proxy_cache one; proxy_cache_valid 200 1h; }
                        } }
                    """.formatted(params, port, backend.port());
            try (FerryInstance ignored = FerryInstance.start(prefix, conf); RawHttpClient client = new RawHttpClient(port)) {
                test.run(client, prefix.resolve("cache"));
            }
        }
    }

    /** Waits up to 5 s for the manager, which runs each second, to make {@code done} hold. */
    private static void await(Condition done) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!done.holds() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private static long files(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    /** Every key once, CLIENTS keepalive connections each taking keys in turn, in increasing order overall. */
    private static void requestAll(int port) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int first = c;
                done.add(pool.submit(() -> {
                    RawHttpClient client = new RawHttpClient(port);
                    try {
                        for (int i = first; i < KEYS; i += CLIENTS) {
                            RawHttpClient.Response r = client.get("/k/" + i);
                            assertThat(r.status()).as("/k/%d", i).isEqualTo(200);
                            assertThat(r.body()).hasSize(BODY);
                            if ("close".equals(r.header("Connection"))) {
                                // keepalive_requests ends each connection after 1000 requests
                                client.close();
                                client = new RawHttpClient(port);
                            }
                        }
                    } finally {
                        client.close();
                    }
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** What the cache's files take, temporary files included: what max_size bounds on disk. */
    private static long storedBytes(Path dir) throws IOException {
        while (true) {
            try (Stream<Path> files = Files.walk(dir)) {
                return files.filter(Files::isRegularFile).mapToLong(f -> {
                    try {
                        return Files.size(f);
                    } catch (IOException e) {
                        // deleted by the manager meanwhile
                        return 0;
                    }
                }).sum();
            } catch (java.io.UncheckedIOException e) {
                // an entry the walk listed was deleted by the manager before the walk reached it: walk again
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
                    throw e;
                }
            }
        }
    }
}
