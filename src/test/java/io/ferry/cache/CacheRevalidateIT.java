package io.ferry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** proxy_cache_revalidate over real sockets: an expired entry's validators go upstream, and a 304 renews it. */
@Timeout(60)
class CacheRevalidateIT {
    private static final String LAST_MODIFIED = "Thu, 01 Jan 2015 00:00:00 GMT";

    @TempDir
    Path prefix;
    /** Every request head the upstream got, in order. */
    private final List<String> heads = new CopyOnWriteArrayList<>();
    private final AtomicInteger served = new AtomicInteger();
    /** Whether the upstream answers a conditional request with 304 (else always 200 with a new body). */
    private volatile boolean notModified = true;
    private SocketBackend backend;

    @BeforeEach
    void upstream() throws Exception {
        backend = SocketBackend.start(s -> {
            String head;
            while ((head = SocketBackend.readHead(s.getInputStream())) != null) {
                heads.add(head);
                String target = head.split(" ")[1];
                String validators = (target.contains("etag-only") ? "" : "Last-Modified: " + LAST_MODIFIED + "\r\n")
                        + "ETag: \"v1\"\r\n";
                if (notModified && (header(head, "If-Modified-Since") != null || header(head, "If-None-Match") != null)) {
                    SocketBackend.write(s, "HTTP/1.1 304 Not Modified\r\n" + validators + "\r\n");
                    continue;
                }
                String body = target + " #" + served.incrementAndGet();
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\n" + validators + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        backend.close();
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private String lastHead() {
        return heads.get(heads.size() - 1);
    }

    private FerryInstance ferry(int port) throws Exception {
        return FerryInstance.start(prefix, """
                http {
                    proxy_cache_path cache keys_zone=one:1m;
                    server { listen 127.0.0.1:%d;
                        add_header X-Cache-Status $upstream_cache_status always;
                        location / { proxy_pass http://127.0.0.1:%d; proxy_cache one; proxy_cache_valid 200 1s;
                            proxy_cache_revalidate on; }
                        location /off/ { proxy_pass http://127.0.0.1:%2$d; proxy_cache one; proxy_cache_valid 200 1s; }
                    } }
                """.formatted(port, backend.port()));
    }

    @Test
    void anExpiredEntryIsRevalidatedWithItsStoredValidatorsAndValidAgain() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = ferry(port);
             RawHttpClient client = new RawHttpClient(port)) {
            assertThat(client.get("/a").header("X-Cache-Status")).isEqualTo("MISS");
            assertThat(client.get("/etag-only").header("X-Cache-Status")).isEqualTo("MISS");
            assertThat(header(lastHead(), "If-None-Match")).isNull();
            Thread.sleep(1100);

            RawHttpClient.Response revalidated = client.get("/a");
            assertThat(header(lastHead(), "If-Modified-Since")).isEqualTo(LAST_MODIFIED);
            assertThat(header(lastHead(), "If-None-Match")).isEqualTo("\"v1\"");
            assertThat(revalidated.status()).isEqualTo(200);
            assertThat(revalidated.header("X-Cache-Status")).isEqualTo("REVALIDATED");
            assertThat(revalidated.text()).isEqualTo("/a #1");
            RawHttpClient.Response renewed = client.get("/a");
            assertThat(renewed.header("X-Cache-Status")).isEqualTo("HIT");
            assertThat(renewed.text()).isEqualTo("/a #1");

            RawHttpClient.Response byETag = client.get("/etag-only");
            assertThat(header(lastHead(), "If-Modified-Since")).isNull();
            assertThat(header(lastHead(), "If-None-Match")).isEqualTo("\"v1\"");
            assertThat(byETag.header("X-Cache-Status")).isEqualTo("REVALIDATED");
            assertThat(byETag.text()).isEqualTo("/etag-only #2");
            assertThat(heads).hasSize(4);
        }
    }

    @Test
    void aFullAnswerToTheConditionsReplacesTheEntry() throws Exception {
        notModified = false;
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = ferry(port);
             RawHttpClient client = new RawHttpClient(port)) {
            client.get("/b");
            Thread.sleep(1100);
            RawHttpClient.Response expired = client.get("/b");
            assertThat(header(lastHead(), "If-None-Match")).isEqualTo("\"v1\"");
            assertThat(expired.header("X-Cache-Status")).isEqualTo("EXPIRED");
            assertThat(expired.text()).isEqualTo("/b #2");
            RawHttpClient.Response hit = client.get("/b");
            assertThat(hit.header("X-Cache-Status")).isEqualTo("HIT");
            assertThat(hit.text()).isEqualTo("/b #2");
        }
    }

    @Test
    void withoutRevalidateNoConditionsGoUpstream() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = ferry(port);
             RawHttpClient client = new RawHttpClient(port)) {
            client.get("/off/c");
            Thread.sleep(1100);
            RawHttpClient.Response expired = client.get("/off/c");
            assertThat(header(lastHead(), "If-Modified-Since")).isNull();
            assertThat(header(lastHead(), "If-None-Match")).isNull();
            assertThat(expired.header("X-Cache-Status")).isEqualTo("EXPIRED");
            assertThat(expired.text()).isEqualTo("/off/c #2");
        }
    }
}
