package io.ferry.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream block's keepalive_timeout and keepalive_requests, seen from the backend: which TCP
 * connections Ferry opens, how many requests each carries, and when Ferry closes them.
 */
@Timeout(60)
class UpstreamKeepaliveIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    /** Requests served per backend connection, in the order the connections were accepted. */
    final List<AtomicInteger> served = new CopyOnWriteArrayList<>();
    final AtomicLong lastAnswerAt = new AtomicLong();
    final AtomicLong closedByFerryAt = new AtomicLong();
    SocketBackend backend;
    FerryInstance ferry;
    int port;

    /** A keep-alive HTTP/1.1 backend that answers every request on a connection until Ferry closes it. */
    private void start(String upstreamSettings) throws Exception {
        backend = closer.add(SocketBackend.start(s -> {
            AtomicInteger count = new AtomicInteger();
            served.add(count);
            while (SocketBackend.readHead(s.getInputStream()) != null) {
                count.incrementAndGet();
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                lastAnswerAt.set(System.nanoTime());
            }
            closedByFerryAt.set(System.nanoTime());
        }));
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    upstream app { server 127.0.0.1:%d; keepalive 4; %s }
                    server { listen 127.0.0.1:%d;
                        location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
                    }
                }
                """.formatted(backend.port(), upstreamSettings, port)));
    }

    @Test
    void idlePooledConnectionIsClosedAfterKeepaliveTimeout() throws Exception {
        start("keepalive_timeout 500ms;");
        // One client connection: its requests run on one event loop, whose pool holds the idle connection.
        try (RawHttpClient client = new RawHttpClient(port)) {
            assertThat(client.get("/one").status()).isEqualTo(200);
            assertThat(backend.awaitEnded(1, 10_000)).as("Ferry closed the idle upstream connection").isTrue();
            long idleMs = TimeUnit.NANOSECONDS.toMillis(closedByFerryAt.get() - lastAnswerAt.get());
            // Pooled (not closed at once) and kept no longer than keepalive_timeout (the default is 60 s);
            // the event loop's timer may fire a millisecond early by the backend's clock.
            assertThat(idleMs).isBetween(450L, 5_000L);

            assertThat(client.get("/two").status()).isEqualTo(200);
            assertThat(backend.connections()).isEqualTo(2);
        }
    }

    @Test
    void connectionIsRetiredAfterKeepaliveRequests() throws Exception {
        start("keepalive_requests 3;");
        try (RawHttpClient client = new RawHttpClient(port)) {
            for (int i = 0; i < 7; i++) {
                assertThat(client.get("/r" + i).status()).isEqualTo(200);
            }
        }
        assertThat(backend.awaitEnded(2, 10_000)).as("the two full connections were closed by Ferry").isTrue();
        assertThat(served).extracting(AtomicInteger::get).containsExactly(3, 3, 1);
    }
}
