package io.ferry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** proxy_cache over real sockets: what is stored, what is answered from the file, and what survives a restart. */
@Timeout(60)
class ProxyCacheIT {
    /** The upstream's extra header lines per path (everything after "/x/" up to "?" names one). */
    private static final Map<String, String> HEADERS = Map.of(
            "plain", "",
            "nostore", "Cache-Control: no-store\r\n",
            "cookie", "Set-Cookie: a=b\r\n",
            "maxage", "Cache-Control: max-age=1\r\n",
            "accel", "X-Accel-Expires: 0\r\nCache-Control: max-age=100\r\n",
            "vary", "Vary: *\r\n",
            "validators", "ETag: \"v1\"\r\nLast-Modified: Thu, 01 Jan 2015 00:00:00 GMT\r\n");

    @TempDir
    Path prefix;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private SocketBackend backend;

    @BeforeEach
    void upstream() throws Exception {
        backend = SocketBackend.start(s -> {
            String head;
            while ((head = SocketBackend.readHead(s.getInputStream())) != null) {
                String target = head.split(" ")[1];
                int n = hits.computeIfAbsent(target, k -> new AtomicInteger()).incrementAndGet();
                String name = target.replaceFirst("^/x/", "").replaceFirst("\\?.*", "");
                String body = target + " #" + n;
                String status = target.startsWith("/err/") ? "404 Not Found" : "200 OK";
                SocketBackend.write(s, "HTTP/1.1 " + status + "\r\n" + HEADERS.getOrDefault(name, "")
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body);
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
                    proxy_cache_path cache levels=1:2 keys_zone=one:1m %s;
                    server { listen 127.0.0.1:%d;
                        add_header X-Cache $upstream_cache_status;
                        location /x/ { proxy_pass http://127.0.0.1:%d; proxy_cache one; proxy_cache_valid 200 1m;
                            proxy_cache_bypass $arg_bypass; proxy_no_cache $arg_nocache; }
                        location /uses/ { proxy_pass http://127.0.0.1:%3$d; proxy_cache one; proxy_cache_valid 1m;
                            proxy_cache_min_uses 2; }
                        location /short/ { proxy_pass http://127.0.0.1:%3$d; proxy_cache one; proxy_cache_valid 1s; }
                        location /none/ { proxy_pass http://127.0.0.1:%3$d; }
                        location /err/ { proxy_pass http://127.0.0.1:%3$d; proxy_cache one; proxy_cache_valid any 1m;
                            proxy_intercept_errors on; error_page 404 = @fallback; }
                        location @fallback { return 403; }
                    } }
                """.formatted(extra, port, backend.port());
    }

    private int upstreamHits(String target) {
        AtomicInteger n = hits.get(target);
        return n == null ? 0 : n.get();
    }

    @Test
    void missThenHitFromTheFileAndHeadAsGet() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, ""));
             RawHttpClient client = new RawHttpClient(port)) {
            RawHttpClient.Response first = client.get("/x/plain");
            assertThat(first.header("X-Cache")).isEqualTo("MISS");
            assertThat(first.text()).isEqualTo("/x/plain #1");
            RawHttpClient.Response second = client.get("/x/plain");
            assertThat(second.header("X-Cache")).isEqualTo("HIT");
            assertThat(second.text()).isEqualTo("/x/plain #1");
            assertThat(second.header("Content-Length")).isEqualTo("11");
            assertThat(upstreamHits("/x/plain")).isEqualTo(1);
            try (Stream<Path> files = Files.walk(prefix.resolve("cache"))) {
                // one file, named by the key's MD5, under levels=1:2 from its end
                List<Path> stored = files.filter(Files::isRegularFile).toList();
                assertThat(stored).hasSize(1);
                String name = stored.get(0).getFileName().toString();
                assertThat(prefix.resolve("cache").relativize(stored.get(0)).toString())
                        .isEqualTo(name.substring(31) + "/" + name.substring(29, 31) + "/" + name);
            }

            client.send("HEAD /x/plain?h HTTP/1.1\r\nHost: l\r\n\r\n");
            RawHttpClient.Response head = client.read(true);
            assertThat(head.header("X-Cache")).isEqualTo("MISS");
            // proxy_cache_convert_head: the upstream was asked with GET, and the GET that follows is a hit
            assertThat(client.get("/x/plain?h").text()).isEqualTo("/x/plain?h #1");
            assertThat(upstreamHits("/x/plain?h")).isEqualTo(1);

            client.send("POST /x/plain?p HTTP/1.1\r\nHost: l\r\nContent-Length: 0\r\n\r\n");
            assertThat(client.read().header("X-Cache")).isNull();
            assertThat(client.get("/none/").header("X-Cache")).isNull();
        }
    }

    @Test
    void aHitIsSentInTheRangesAsked() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, ""));
             RawHttpClient client = new RawHttpClient(port)) {
            assertThat(client.get("/x/ranged").text()).isEqualTo("/x/ranged #1");
            client.send("GET /x/ranged HTTP/1.1\r\nHost: l\r\nRange: bytes=3-8\r\n\r\n");
            RawHttpClient.Response part = client.read();
            assertThat(part.status()).isEqualTo(206);
            assertThat(part.header("Content-Range")).isEqualTo("bytes 3-8/12");
            assertThat(part.text()).isEqualTo("ranged");
            client.send("GET /x/ranged HTTP/1.1\r\nHost: l\r\nRange: bytes=0-1,-2\r\n\r\n");
            RawHttpClient.Response parts = client.read();
            assertThat(parts.header("Content-Type")).startsWith("multipart/byteranges; boundary=");
            assertThat(parts.text()).contains("Content-Range: bytes 0-1/12\r\n\r\n/x").contains("Content-Range: bytes 10-11/12\r\n\r\n#1");
            client.send("GET /x/ranged HTTP/1.1\r\nHost: l\r\nRange: bytes=50-\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(416);
            assertThat(upstreamHits("/x/ranged")).isEqualTo(1);
        }
    }

    @Test
    void freshnessFromTheUpstreamsHeaders() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, ""));
             RawHttpClient client = new RawHttpClient(port)) {
            for (String uncacheable : List.of("nostore", "cookie", "accel", "vary")) {
                client.get("/x/" + uncacheable);
                RawHttpClient.Response again = client.get("/x/" + uncacheable);
                assertThat(again.header("X-Cache")).as(uncacheable).isEqualTo("MISS");
                assertThat(again.text()).isEqualTo("/x/" + uncacheable + " #2");
            }
            client.get("/x/maxage");
            assertThat(client.get("/x/maxage").header("X-Cache")).isEqualTo("HIT");
            Thread.sleep(1100);
            RawHttpClient.Response expired = client.get("/x/maxage");
            assertThat(expired.header("X-Cache")).isEqualTo("EXPIRED");
            assertThat(expired.text()).isEqualTo("/x/maxage #2");
            client.get("/short/a");
            Thread.sleep(1100);
            assertThat(client.get("/short/a").header("X-Cache")).isEqualTo("EXPIRED");
        }
    }

    @Test
    void bypassNoCacheAndMinUses() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, ""));
             RawHttpClient client = new RawHttpClient(port)) {
            assertThat(client.get("/x/plain?nocache=1").header("X-Cache")).isEqualTo("MISS");
            assertThat(client.get("/x/plain?nocache=1").header("X-Cache")).isEqualTo("MISS");
            client.get("/x/plain");
            RawHttpClient.Response bypassed = client.get("/x/plain?bypass=1");
            assertThat(bypassed.header("X-Cache")).isEqualTo("BYPASS");
            assertThat(client.get("/x/plain?bypass=1").text()).isEqualTo("/x/plain?bypass=1 #2");
            assertThat(client.get("/x/plain?bypass=0").header("X-Cache")).isEqualTo("MISS");

            assertThat(client.get("/uses/a").header("X-Cache")).isEqualTo("MISS");
            assertThat(client.get("/uses/a").header("X-Cache")).isEqualTo("MISS");
            assertThat(client.get("/uses/a").header("X-Cache")).isEqualTo("HIT");
            assertThat(upstreamHits("/uses/a")).isEqualTo(2);
        }
    }

    @Test
    void aRestartKeepsTheHitsAndLeftoverTempFilesGo() throws Exception {
        // what a crash mid-write leaves: the loader deletes it, and it is never served
        Path leftover = prefix.resolve("cache/" + CacheWriter.TEMP_PREFIX + "crashed");
        Files.createDirectories(leftover.getParent());
        Files.writeString(leftover, "half");
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, ""));
             RawHttpClient client = new RawHttpClient(port)) {
            client.get("/x/plain");
            long deadline = System.currentTimeMillis() + 5000;
            // the entry is renamed into place as the response ends, a moment after the client has it
            while ((Files.exists(leftover) || !stored(prefix.resolve("cache"))) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertThat(leftover).doesNotExist();
        }
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, ""));
             RawHttpClient client = new RawHttpClient(port)) {
            RawHttpClient.Response hit = client.get("/x/plain");
            assertThat(hit.header("X-Cache")).isEqualTo("HIT");
            assertThat(hit.text()).isEqualTo("/x/plain #1");
        }
    }

    /** Whether an entry (not a temporary file) is stored under the cache directory. */
    private static boolean stored(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            return files.anyMatch(f -> Files.isRegularFile(f) && !f.getFileName().toString().startsWith(CacheWriter.TEMP_PREFIX));
        }
    }

    @Test
    void inactiveEntriesAndThoseOverMaxSizeAreEvicted() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, "inactive=1s max_size=200"));
             RawHttpClient client = new RawHttpClient(port)) {
            for (int i = 0; i < 10; i++) {
                client.get("/x/plain?" + i);
            }
            Thread.sleep(1200);
            try (Stream<Path> files = Files.walk(prefix.resolve("cache"))) {
                // each entry is about a hundred bytes: max_size=200 leaves two at most
                assertThat(files.filter(Files::isRegularFile).count()).isLessThanOrEqualTo(2);
            }
            Thread.sleep(2000);
            try (Stream<Path> files = Files.walk(prefix.resolve("cache"))) {
                assertThat(files.filter(Files::isRegularFile).count()).isZero();
            }
        }
    }

    @Test
    void hitsAnswerConditionsAndInterceptedErrorsAreKept() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port, ""));
             RawHttpClient client = new RawHttpClient(port)) {
            client.get("/x/validators");
            client.send("GET /x/validators HTTP/1.1\r\nHost: l\r\nIf-None-Match: \"v1\"\r\n\r\n");
            RawHttpClient.Response notModified = client.read();
            assertThat(notModified.status()).isEqualTo(304);
            assertThat(notModified.header("X-Cache")).isEqualTo("HIT");
            client.send("GET /x/validators HTTP/1.1\r\nHost: l\r\nIf-Unmodified-Since: Fri, 05 Jul 1985 14:30:52 GMT\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(412);

            assertThat(client.get("/err/a").status()).isEqualTo(403);
            // the 404 is kept: error_page answers again without the upstream
            assertThat(client.get("/err/a").status()).isEqualTo(403);
            assertThat(upstreamHits("/err/a")).isEqualTo(1);
        }
    }
}
