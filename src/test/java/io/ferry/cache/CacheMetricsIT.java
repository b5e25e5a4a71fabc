package io.ferry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The cache's Prometheus counters: answers per zone and $upstream_cache_status, and the body bytes sent from entries. */
@Timeout(60)
class CacheMetricsIT {
    private static final String BODY = "x".repeat(1000);
    private static final String RESPONSES = "ferry_cache_responses_total\\{status=\"%s\",zone=\"one\"}";
    private static final String BYTES = "ferry_cache_sent_bytes_total\\{zone=\"one\"}";

    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;

    @Test
    void countsEachAnswerByStatusAndOnlyCachedBodiesAsBytes() throws Exception {
        SocketBackend backend = closer.add(SocketBackend.start(s -> {
            while (SocketBackend.readHead(s.getInputStream()) != null) {
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY);
            }
        }));
        int port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    proxy_cache_path cache keys_zone=one:1m;
                    server { listen 127.0.0.1:%d;
                        location /c/ { proxy_pass http://127.0.0.1:%d; proxy_cache one; proxy_cache_valid 1m;
                            proxy_cache_bypass $arg_bypass; }
                        location = /metrics { metrics; }
                    } }
                """.formatted(port, backend.port())));
        RawHttpClient client = closer.add(new RawHttpClient(port));

        String before = client.get("/metrics").text();
        assertThat(client.get("/c/a").text()).isEqualTo(BODY);
        String afterMiss = awaitCount(client, "MISS", count(before, "MISS") + 1);
        assertThat(count(afterMiss, "HIT")).isEqualTo(count(before, "HIT"));
        assertThat(value(afterMiss, BYTES)).isEqualTo(value(before, BYTES));

        assertThat(client.get("/c/a").text()).isEqualTo(BODY);
        String afterHit = awaitCount(client, "HIT", count(before, "HIT") + 1);
        assertThat(count(afterHit, "MISS")).isEqualTo(count(before, "MISS") + 1);
        assertThat(value(afterHit, BYTES)).isEqualTo(value(before, BYTES) + BODY.length());

        // the upstream's body, not the entry's: no bytes from the cache
        assertThat(client.get("/c/a?bypass=1").text()).isEqualTo(BODY);
        String afterBypass = awaitCount(client, "BYPASS", count(before, "BYPASS") + 1);
        assertThat(value(afterBypass, BYTES)).isEqualTo(value(before, BYTES) + BODY.length());
    }

    /** An exchange is counted once its last byte is written, which may be a moment after the client read it. */
    private static String awaitCount(RawHttpClient client, String status, double expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String metrics;
        do {
            metrics = client.get("/metrics").text();
            if (count(metrics, status) >= expected) {
                break;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        assertThat(count(metrics, status)).as(status).isEqualTo(expected);
        return metrics;
    }

    private static double count(String metrics, String status) {
        return value(metrics, RESPONSES.formatted(status));
    }

    /** A series not yet written reads 0, as Prometheus treats a counter that has not started. */
    private static double value(String exposition, String seriesRegex) {
        Matcher m = Pattern.compile("(?m)^" + seriesRegex + " (\\S+)$").matcher(exposition);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
