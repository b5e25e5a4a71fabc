package io.ferry.memcached;

import io.ferry.testing.MemcachedServer;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.LogFiles;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SilentPeer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * memcached_next_upstream and memcached_read_timeout with real memcached processes. The failing
 * peer has weight 5 so that round robin tries it first, whatever the order of the tests.
 */
@Timeout(60)
class MemcachedUpstreamIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    static MemcachedServer empty;
    static MemcachedServer full;
    @TempDir
    Path prefix;
    FerryInstance ferry;
    int port;

    @BeforeAll
    static void startMemcached() throws Exception {
        empty = closer.add(MemcachedServer.start());
        full = closer.add(MemcachedServer.start());
        full.set("/page", 0, "cached".getBytes(StandardCharsets.US_ASCII));
    }

    /** Ferry with an upstream "mc" of {@code first} (tried first) and the memcached holding /page. */
    void start(int first, String location) throws Exception {
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    log_format up "$status $upstream_addr $upstream_status";
                    upstream mc { server 127.0.0.1:%d weight=5; server 127.0.0.1:%d; }
                    server {
                        listen 127.0.0.1:%d;
                        access_log logs/up.log up;
                        location / { memcached_pass mc; %s }
                    }
                }
                """.formatted(first, full.port(), port, location)));
    }

    RawHttpClient.Response get(String target) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.get(target);
        }
    }

    String logLine() throws Exception {
        return LogFiles.awaitLines(prefix.resolve("logs/up.log"), 1).get(0);
    }

    @Test
    void aRefusingPeerIsSkippedForTheNextOne() throws Exception {
        int dead = FerryInstance.freePort();
        start(dead, "memcached_next_upstream error;");
        RawHttpClient.Response r = get("/page");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("cached");
        assertThat(logLine()).isEqualTo("200 127.0.0.1:%d, 127.0.0.1:%d 502, 200".formatted(dead, full.port()));
    }

    @Test
    void withNextUpstreamOffARefusingPeerIs502() throws Exception {
        int dead = FerryInstance.freePort();
        start(dead, "memcached_next_upstream off;");
        assertThat(get("/page").status()).isEqualTo(502);
        assertThat(logLine()).isEqualTo("502 127.0.0.1:%d 502".formatted(dead));
    }

    @Test
    void notFoundMovesAMissOnToThePeerThatHasTheKey() throws Exception {
        start(empty.port(), "memcached_next_upstream not_found;");
        RawHttpClient.Response r = get("/page");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("cached");
        assertThat(logLine()).isEqualTo("200 127.0.0.1:%d, 127.0.0.1:%d 404, 200".formatted(empty.port(), full.port()));
    }

    @Test
    void aMissOnTheLastPeerIsAnsweredAndItsConnectionKept() throws Exception {
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    upstream one { server 127.0.0.1:%d; keepalive 1; }
                    server {
                        listen 127.0.0.1:%d;
                        location / { set $memcached_key $uri; memcached_pass one; memcached_next_upstream not_found; }
                    }
                }
                """.formatted(full.port(), port)));
        long before = full.totalConnections();
        assertThat(get("/page").text()).isEqualTo("cached");
        // No peer is left to move on to: the miss is the answer, and the connection stays reusable.
        assertThat(get("/missing").status()).isEqualTo(404);
        assertThat(get("/page").text()).isEqualTo("cached");
        assertThat(full.totalConnections()).isEqualTo(before + 2);
    }

    @Test
    void headClosesTheConnectionInsteadOfReadingTheValue() throws Exception {
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    upstream one { server 127.0.0.1:%d; keepalive 1; }
                    server { listen 127.0.0.1:%d; location / { set $memcached_key $uri; memcached_pass one; } }
                }
                """.formatted(full.port(), port)));
        long before = full.totalConnections();
        RawHttpClient.Response head;
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send("HEAD /page HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            head = c.read(true);
        }
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo("6");
        assertThat(get("/page").text()).isEqualTo("cached");
        // the HEAD's connection was not kept: the GET needed a new one
        assertThat(full.totalConnections()).isEqualTo(before + 3);
    }

    @Test
    void aPeerThatNeverAnswersIs504AfterTheReadTimeout() throws Exception {
        try (SilentPeer mute = SilentPeer.mute()) {
            port = FerryInstance.freePort();
            ferry = closer.add(FerryInstance.start(prefix, """
                    http {
                        server {
                            listen 127.0.0.1:%d;
                            memcached_connect_timeout 60s;
                            memcached_send_timeout 60s;
                            location / { memcached_pass 127.0.0.1:%d; memcached_read_timeout 400ms; }
                        }
                    }
                    """.formatted(port, mute.port())));
            long t0 = System.nanoTime();
            RawHttpClient.Response r = get("/page");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(r.status()).isEqualTo(504);
            assertThat(ms).isBetween(400L, 10_000L);
            assertThat(mute.accepted()).isEqualTo(1);
        }
    }
}
