package io.ferry.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Which peer a request goes to: smooth weighted round robin beyond 3:1, and max_conns. */
@Timeout(60)
class PeerSelectionIT {
    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();
    int port;

    private void start(String http) throws Exception {
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, "http {\n" + http.replace("PORT", Integer.toString(port)) + "\n}\n"));
    }

    /** A GET on a connection of its own, with a read timeout short enough to fail a test rather than hang it. */
    private RawHttpClient.Response get(String path) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            return RawHttpClient.over(socket).send("GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
        }
    }

    @Test
    void weightsFiveOneOneFollowNginxsSmoothSequence() throws Exception {
        HttpEchoBackend a = closer.add(HttpEchoBackend.start());
        HttpEchoBackend b = closer.add(HttpEchoBackend.start());
        HttpEchoBackend c = closer.add(HttpEchoBackend.start());
        start("""
                upstream app { server 127.0.0.1:%d weight=5; server 127.0.0.1:%d; server 127.0.0.1:%d; }
                server { listen 127.0.0.1:PORT; location / { proxy_pass http://app; } }
                """.formatted(a.port(), b.port(), c.port()));
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 21; i++) {
            int na = a.requests().size();
            int nb = b.requests().size();
            assertThat(get("/w" + i).status()).isEqualTo(200);
            order.append(a.requests().size() > na ? 'a' : b.requests().size() > nb ? 'b' : 'c');
        }
        assertThat(order.toString()).isEqualTo("aabacaa".repeat(3));
    }

    @Test
    void peerAtMaxConnsIsPassedOverAndAGroupWithNoneFreeIs502() throws Exception {
        Semaphore arrived = new Semaphore(0);
        CountDownLatch release = new CountDownLatch(1);
        SocketBackend busy = closer.add(SocketBackend.start(s -> {
            SocketBackend.readHead(s.getInputStream());
            arrived.release();
            release.await(30, TimeUnit.SECONDS);
            SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy");
        }));
        closer.add(release::countDown);
        HttpEchoBackend spare = closer.add(HttpEchoBackend.start());
        ErrorLogLines errors = closer.add(ErrorLogLines.capture());
        // The weight makes round robin choose the busy peer every time, unless max_conns rules it out.
        start("""
                upstream limited { server 127.0.0.1:%1$d weight=10 max_conns=1; server 127.0.0.1:%2$d; }
                upstream alone { server 127.0.0.1:%1$d max_conns=1; }
                server { listen 127.0.0.1:PORT;
                    location /limited/ { proxy_pass http://limited; }
                    location /alone/ { proxy_pass http://alone; }
                }
                """.formatted(busy.port(), spare.port()));

        CompletableFuture<RawHttpClient.Response> held = CompletableFuture.supplyAsync(() -> getUnchecked("/limited/held"));
        assertThat(arrived.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        assertThat(get("/limited/next").status()).isEqualTo(200);
        assertThat(spare.requests()).extracting(HttpEchoBackend.Recorded::uri).containsExactly("/limited/next");

        CompletableFuture<RawHttpClient.Response> heldAlone = CompletableFuture.supplyAsync(() -> getUnchecked("/alone/held"));
        assertThat(arrived.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        assertThat(get("/alone/next").status()).isEqualTo(502);
        assertThat(errors.count("no live upstreams while connecting to upstream")).isEqualTo(1);
        assertThat(busy.connections()).isEqualTo(2);

        release.countDown();
        assertThat(held.get(10, TimeUnit.SECONDS).text()).isEqualTo("busy");
        assertThat(heldAlone.get(10, TimeUnit.SECONDS).text()).isEqualTo("busy");
    }

    private RawHttpClient.Response getUnchecked(String path) {
        try {
            return get(path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
