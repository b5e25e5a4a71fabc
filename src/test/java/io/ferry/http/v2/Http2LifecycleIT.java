package io.ferry.http.v2;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.ferry.conf.directive.ConfigLoader;
import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.H2FrameClient;
import io.ferry.testing.H2FrameClient.Frame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * How an HTTP/2 connection ends: idle past keepalive_timeout, after keepalive_requests streams, on quit and
 * reload (GOAWAY naming the last stream, that stream finishing, later ones ignored) and on stop (at once).
 */
@Timeout(120)
class Http2LifecycleIT {
    /** Within the client's initial window: the raw client sends no WINDOW_UPDATE. */
    private static final int BODY = 60_000;
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    private final CountDownLatch slowArrived = new CountDownLatch(1);
    private final CountDownLatch slowRelease = new CountDownLatch(1);
    private FerryInstance ferry;
    private int idlePort;
    private int requestsPort;
    private int noKeepalivePort;
    private int keepaliveTimePort;

    @BeforeEach
    void start() throws Exception {
        HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        var threads = Executors.newCachedThreadPool();
        closer.add(threads::shutdownNow);
        closer.add(() -> slow.stop(0));
        closer.add(slowRelease::countDown);
        slow.setExecutor(threads);
        slow.createContext("/slow", exchange -> {
            slowArrived.countDown();
            try {
                slowRelease.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, BODY);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(new byte[BODY]);
            }
        });
        slow.start();
        idlePort = FerryInstance.freePort();
        requestsPort = FerryInstance.freePort();
        noKeepalivePort = FerryInstance.freePort();
        keepaliveTimePort = FerryInstance.freePort();
        ferry = FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%d;
                        http2 on;
                        keepalive_timeout 1s;
                        location / { return 200 "ok\\n"; }
                        location /slow { proxy_pass http://127.0.0.1:%d; }
                    }
                    server {
                        listen 127.0.0.1:%d;
                        http2 on;
                        keepalive_requests 2;
                        location / { return 200 "ok\\n"; }
                    }
                    server {
                        listen 127.0.0.1:%d;
                        http2 on;
                        keepalive_timeout 0;
                        location / { return 200 "ok\\n"; }
                    }
                    server {
                        listen 127.0.0.1:%d;
                        http2 on;
                        keepalive_time 1s;
                        location / { return 200 "ok\\n"; }
                    }
                }
                """.formatted(idlePort, slow.getAddress().getPort(), requestsPort, noKeepalivePort, keepaliveTimePort));
        closer.add(ferry);
    }

    private static Frame answer(H2FrameClient c, int stream) throws InterruptedException {
        return c.await(f -> f.type() == Http2FrameTypes.HEADERS && f.streamId() == stream);
    }

    private static void assertGoAway(H2FrameClient c, int lastStream) throws InterruptedException {
        Frame g = c.awaitType(Http2FrameTypes.GO_AWAY);
        assertThat(g.code()).isEqualTo(Http2Error.NO_ERROR.code());
        assertThat(g.lastStreamId()).isEqualTo(lastStream);
    }

    @Test
    void anIdleConnectionEndsWithGoAwayAfterKeepaliveTimeout() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(idlePort)) {
            c.get(1, "/");
            assertThat(answer(c, 1).status()).isEqualTo("200");
            long idleFrom = System.nanoTime();
            assertGoAway(c, 1);
            assertThat(c.awaitClosed(Duration.ofSeconds(3))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - idleFrom)).isBetween(Duration.ofMillis(800), Duration.ofSeconds(4));
        }
    }

    @Test
    void keepaliveRequestsEndsTheConnectionAfterItsLastStream() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(requestsPort)) {
            c.get(1, "/");
            assertThat(answer(c, 1).status()).isEqualTo("200");
            c.get(3, "/");
            assertGoAway(c, 3);
            assertThat(answer(c, 3).status()).isEqualTo("200");
            c.await(f -> f.streamId() == 3 && f.endStream());
            assertThat(c.awaitClosed(Duration.ofSeconds(3))).isTrue();
        }
    }

    @Test
    void keepaliveTimeoutZeroEndsTheConnectionWithItsFirstStream() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(noKeepalivePort)) {
            c.get(1, "/");
            assertGoAway(c, 1);
            assertThat(answer(c, 1).status()).isEqualTo("200");
            assertThat(c.awaitClosed(Duration.ofSeconds(3))).isTrue();
        }
    }

    @Test
    void keepaliveTimeEndsTheConnectionWithTheFirstStreamAfterIt() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(keepaliveTimePort)) {
            c.get(1, "/");
            assertThat(answer(c, 1).status()).isEqualTo("200");
            Thread.sleep(1200);
            assertThat(c.drain()).noneMatch(f -> f.type() == Http2FrameTypes.GO_AWAY);
            c.get(3, "/");
            assertGoAway(c, 3);
            assertThat(answer(c, 3).status()).isEqualTo("200");
        }
    }

    /**
     * Frames the client sends after the server's last one must not reset the connection before the client has
     * read that last response: the server lingers, dropping them, and the answer and GOAWAY stay readable.
     */
    @Test
    void aGracefulEndLingersSoLateClientFramesDestroyNothing() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(requestsPort)) {
            c.get(1, "/");
            assertThat(answer(c, 1).status()).isEqualTo("200");
            c.reading(false);
            c.get(3, "/");
            Thread.sleep(500);
            for (int i = 0; i < 20; i++) {
                c.ping(i);
            }
            Thread.sleep(200);
            c.reading(true);
            assertGoAway(c, 3);
            c.await(f -> f.streamId() == 3 && f.endStream());
        }
    }

    @Test
    void quitLetsTheStreamInFlightFinishAndIgnoresLaterOnes() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(idlePort)) {
            c.get(1, "/slow");
            assertThat(slowArrived.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> quit = CompletableFuture.runAsync(() -> ferry.server().quit(null));
            assertGoAway(c, 1);
            endsAfterTheSlowDownload(c);
            quit.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void reloadSendsGoAwayAndTheStreamInFlightFinishes() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(idlePort)) {
            c.get(1, "/slow");
            assertThat(slowArrived.await(10, TimeUnit.SECONDS)).isTrue();
            Path conf = prefix.resolve("conf/ferry.conf");
            ferry.server().reload(ConfigLoader.load(prefix, conf, null).config());
            assertGoAway(c, 1);
            endsAfterTheSlowDownload(c);
        }
        try (H2FrameClient fresh = H2FrameClient.connect(idlePort)) {
            fresh.get(1, "/");
            assertThat(answer(fresh, 1).status()).as("a new connection after the reload").isEqualTo("200");
        }
    }

    /** A stream opened after the GOAWAY gets nothing; the one before it gets all its body; then the connection closes. */
    private void endsAfterTheSlowDownload(H2FrameClient c) throws InterruptedException {
        c.get(3, "/");
        slowRelease.countDown();
        assertThat(answer(c, 1).status()).isEqualTo("200");
        long[] received = {0};
        c.await(f -> {
            assertThat(f.streamId()).as("a frame for the stream after GOAWAY: %s", f).isNotEqualTo(3);
            received[0] += f.type() == Http2FrameTypes.DATA ? f.length() : 0;
            return f.streamId() == 1 && f.endStream();
        });
        assertThat(received[0]).isEqualTo(BODY);
        assertThat(c.awaitClosed(Duration.ofSeconds(3))).isTrue();
    }

    @Test
    void stopClosesAtOnceAfterGoAway() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(idlePort)) {
            c.get(1, "/slow");
            assertThat(slowArrived.await(10, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            CompletableFuture.runAsync(ferry.server()::stop);
            c.awaitType(Http2FrameTypes.GO_AWAY);
            assertThat(c.awaitClosed(Duration.ofSeconds(2))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
    }
}
