package io.ferry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A response's Vary in proxy_cache: one entry per variant of the request headers it names, and "*" never stored. */
@Timeout(60)
class CacheVaryIT {
    @TempDir
    Path prefix;
    private final AtomicInteger served = new AtomicInteger();
    private SocketBackend backend;

    @BeforeEach
    void upstream() throws Exception {
        backend = SocketBackend.start(s -> {
            String head;
            while ((head = SocketBackend.readHead(s.getInputStream())) != null) {
                String target = head.split(" ")[1];
                String encoding = "-";
                for (String line : head.split("\r\n")) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("accept-encoding:")) {
                        encoding = line.substring(line.indexOf(':') + 1).trim();
                    }
                }
                String vary = target.startsWith("/star") ? "*" : "Accept-Encoding";
                String body = target + " " + encoding + " #" + served.incrementAndGet();
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nVary: " + vary + "\r\nContent-Length: " + body.length()
                        + "\r\n\r\n" + body);
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        backend.close();
    }

    private String conf(int port) {
        return """
                http {
                    proxy_cache_path cache keys_zone=one:1m;
                    server { listen 127.0.0.1:%d;
                        add_header X-Cache-Status $upstream_cache_status;
                        location / { proxy_pass http://127.0.0.1:%d; proxy_cache one; proxy_cache_valid 1m; }
                        location /ignored/ { proxy_pass http://127.0.0.1:%2$d; proxy_cache one; proxy_cache_valid 1m;
                            proxy_ignore_headers Vary; }
                    } }
                """.formatted(port, backend.port());
    }

    private static RawHttpClient.Response get(RawHttpClient client, String target, String encoding) throws Exception {
        return client.send("GET " + target + " HTTP/1.1\r\nHost: l\r\nAccept-Encoding: " + encoding + "\r\n\r\n").read();
    }

    @Test
    void eachVariantIsStoredAndAnsweredToItsOwnRequestsAcrossARestart() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port));
             RawHttpClient client = new RawHttpClient(port)) {
            RawHttpClient.Response gzip = get(client, "/a", "gzip");
            assertThat(gzip.header("X-Cache-Status")).isEqualTo("MISS");
            assertThat(gzip.text()).isEqualTo("/a gzip #1");
            RawHttpClient.Response deflate = get(client, "/a", "deflate");
            assertThat(deflate.header("X-Cache-Status")).isEqualTo("MISS");
            assertThat(deflate.text()).isEqualTo("/a deflate #2");
            RawHttpClient.Response gzipAgain = get(client, "/a", "gzip");
            assertThat(gzipAgain.header("X-Cache-Status")).isEqualTo("HIT");
            assertThat(gzipAgain.text()).isEqualTo("/a gzip #1");
            RawHttpClient.Response deflateAgain = get(client, "/a", "deflate");
            assertThat(deflateAgain.header("X-Cache-Status")).isEqualTo("HIT");
            assertThat(deflateAgain.text()).isEqualTo("/a deflate #2");
            awaitStoredFiles(2);
        }
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port));
             RawHttpClient client = new RawHttpClient(port)) {
            assertThat(get(client, "/a", "deflate").text()).isEqualTo("/a deflate #2");
            RawHttpClient.Response gzip = get(client, "/a", "gzip");
            assertThat(gzip.header("X-Cache-Status")).isEqualTo("HIT");
            assertThat(gzip.text()).isEqualTo("/a gzip #1");
            assertThat(served).hasValue(2);
        }
    }

    @Test
    void ignoredVaryIsOneEntryAndVaryStarIsNeverStored() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, conf(port));
             RawHttpClient client = new RawHttpClient(port)) {
            assertThat(get(client, "/ignored/b", "gzip").header("X-Cache-Status")).isEqualTo("MISS");
            RawHttpClient.Response other = get(client, "/ignored/b", "deflate");
            assertThat(other.header("X-Cache-Status")).isEqualTo("HIT");
            assertThat(other.text()).isEqualTo("/ignored/b gzip #1");

            get(client, "/star", "gzip");
            // an entry, had one been written, is renamed into place a moment after the response
            Thread.sleep(300);
            RawHttpClient.Response again = get(client, "/star", "gzip");
            assertThat(again.header("X-Cache-Status")).isEqualTo("MISS");
            assertThat(again.text()).isEqualTo("/star gzip #3");
        }
    }

    /** Entries are renamed into place as each response ends, a moment after its client has it. */
    private void awaitStoredFiles(int n) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            try (Stream<Path> files = Files.walk(prefix.resolve("cache"))) {
                if (files.filter(f -> Files.isRegularFile(f) && !f.getFileName().toString().startsWith(CacheWriter.TEMP_PREFIX))
                        .count() >= n) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(n + " entries not stored");
    }
}
