package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.ferry.cli.FerryCli.Result;
import io.ferry.cli.FerryCli.Server;
import io.ferry.cli.RawWebSocket.Frame;
import io.ferry.testing.Closer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * QUIT without {@code worker_shutdown_timeout} while WebSockets are open, as the README states it: in-flight requests
 * finish, WebSockets stay until they are all that is left and are then ended with close code 1001 to both ends,
 * between frames, never inside one. Both ends are raw sockets, so the test sees exactly where the close lands.
 */
@Timeout(300)
class GracefulQuitIT {
    @RegisterExtension
    final Closer closer = new Closer();
    /** Large enough for the 64-bit length form, and more than one read on every hop. */
    private static final int FRAME = 256 * 1024;

    @TempDir
    Path prefix;
    @TempDir
    Path scratch;
    private Server server;
    private ServerSocket backend;
    private HttpServer slow;
    private ExecutorService slowThreads;
    private final CountDownLatch slowArrived = new CountDownLatch(1);
    private final CountDownLatch slowRelease = new CountDownLatch(1);
    private int port;

    @BeforeAll
    static void launcherIsBuilt(@TempDir Path dir) throws Exception {
        Result r = FerryCli.run(dir, "-v");
        assertThat(r.exitCode()).as("%s", r).isZero();
    }

    @BeforeEach
    void backends() throws IOException {
        backend = closer.add(new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()));
        backend.setSoTimeout(RawWebSocket.READ_TIMEOUT_MS);
        slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slowThreads = Executors.newCachedThreadPool();
        closer.add(slowThreads::shutdownNow);
        closer.add(() -> slow.stop(0));
        closer.add(slowRelease::countDown);
        slow.setExecutor(slowThreads);
        slow.createContext("/slow", exchange -> FerryCli.answerAfter(exchange, () -> {
            slowArrived.countDown();
            assertThat(slowRelease.await(60, TimeUnit.SECONDS)).as("released by the test").isTrue();
        }));
        slow.start();
        port = FerryCli.freePort();
        Path conf = prefix.resolve("conf/ferry.conf");
        Files.createDirectories(conf.getParent());
        // debug: the tunnel's "draining" line tells the test the quit has reached the open WebSocket.
        Files.writeString(conf, """
                error_log logs/error.log debug;
                events { worker_connections 64; }
                http {
                    server {
                        listen 127.0.0.1:%d;
                        location /ws { proxy_pass http://127.0.0.1:%d; proxy_read_timeout 60s; }
                        location /slow { proxy_pass http://127.0.0.1:%d; proxy_read_timeout 60s; }
                        location = /hello { return 200 "hello\\n"; }
                    }
                }
                """.formatted(port, backend.getLocalPort(), slow.getAddress().getPort()));
    }

    /** A client and the backend connection Ferry opened for it, after the 101. */
    private record Session(Socket client, Socket upstream) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            client.close();
            upstream.close();
        }
    }

    private Session openWebSocket() throws IOException {
        Socket client = RawWebSocket.connect(port, "/ws");
        Socket upstream = backend.accept();
        RawWebSocket.acceptUpgrade(upstream);
        RawWebSocket.awaitSwitch(client);
        return new Session(client, upstream);
    }

    private static byte[] payload() {
        byte[] p = new byte[FRAME];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (i * 31 + i / 251);
        }
        return p;
    }

    private void awaitErrorLog(String fragment) throws InterruptedException {
        FerryCli.await("\"" + fragment + "\" in the error log", Duration.ofSeconds(30),
                () -> server.errorLogText().contains(fragment));
    }

    /** Ferry ended the session: the client got close 1001 and then EOF, the backend a masked close 1001. */
    private static void assertGoingAway(Session s) throws IOException {
        Frame close = RawWebSocket.readFrame(s.client().getInputStream());
        assertThat(close.masked()).as("a server's frame is unmasked").isFalse();
        assertThat(close.closeCode()).isEqualTo(1001);
        assertThat(s.client().getInputStream().read()).as("nothing after the close frame").isEqualTo(-1);
        Frame toBackend = RawWebSocket.readFrame(s.upstream().getInputStream());
        assertThat(toBackend.masked()).as("Ferry speaks to the backend as a client: masked").isTrue();
        assertThat(toBackend.closeCode()).isEqualTo(1001);
    }

    private void assertExitedGracefully() throws InterruptedException {
        assertThat(server.awaitExit(FerryCli.STOP_TIMEOUT)).as("exit status; stderr:%n%s", server.stderrText()).isZero();
        assertThat(server.errorLogText()).contains("gracefully shutting down");
    }

    private static String exchange(Socket s, String target) throws IOException {
        s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: quit\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] buf = new byte[4096];
        int n = s.getInputStream().read(buf);
        return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
    }

    /**
     * A connection whose client has not sent its request yet when QUIT comes is owed an answer (a balancer in front
     * has already handed it a client); a keepalive connection between requests is not.
     */
    @Test
    void aConnectionOpenedBeforeTheQuitGetsItsAnswerWhileIdleKeepaliveOnesClose() throws Exception {
        server = closer.add(Server.start(prefix, scratch));
        long pid = server.awaitPidFile();
        try (Socket idle = new Socket("127.0.0.1", port); Socket fresh = new Socket("127.0.0.1", port)) {
            idle.setSoTimeout(RawWebSocket.READ_TIMEOUT_MS);
            fresh.setSoTimeout(RawWebSocket.READ_TIMEOUT_MS);
            assertThat(exchange(idle, "/hello")).startsWith("HTTP/1.1 200 ").endsWith("hello\n");

            FerryCli.kill("QUIT", pid);
            FerryCli.await("the listener to close", Duration.ofSeconds(30), () -> !FerryCli.listening(port));
            assertThat(idle.getInputStream().read()).as("the idle keepalive connection is closed").isEqualTo(-1);

            String answer = exchange(fresh, "/hello");
            assertThat(answer).startsWith("HTTP/1.1 200 ").containsIgnoringCase("connection: close").endsWith("hello\n");
            assertThat(fresh.getInputStream().read()).as("closed after its one answer").isEqualTo(-1);
        }
        assertExitedGracefully();
    }

    @Test
    void aFrameInFlightWhenQuitArrivesReachesTheClientWholeBeforeTheClose() throws Exception {
        server = closer.add(Server.start(prefix, scratch));
        long pid = server.awaitPidFile();
        try (Session s = openWebSocket()) {
            byte[] payload = payload();
            byte[] header = RawWebSocket.header(0x2, payload.length, null);
            int half = payload.length / 2;
            OutputStream fromBackend = s.upstream().getOutputStream();
            fromBackend.write(header);
            fromBackend.write(payload, 0, half);
            fromBackend.flush();
            InputStream toClient = s.client().getInputStream();
            assertThat(RawWebSocket.readFully(toClient, header.length)).isEqualTo(header);
            assertThat(RawWebSocket.readFully(toClient, half)).isEqualTo(Arrays.copyOf(payload, half));

            // The client holds half a frame and the backend has not sent the rest: QUIT lands mid-frame.
            FerryCli.kill("QUIT", pid);
            awaitErrorLog("draining");
            fromBackend.write(payload, half, payload.length - half);
            fromBackend.flush();

            assertThat(RawWebSocket.readFully(toClient, payload.length - half))
                    .as("the rest of the frame, with nothing inserted")
                    .isEqualTo(Arrays.copyOfRange(payload, half, payload.length));
            assertGoingAway(s);
        }
        assertExitedGracefully();
    }

    @Test
    void webSocketsStayOpenUntilInFlightRequestsFinishThenGoAway() throws Exception {
        server = closer.add(Server.start(prefix, scratch));
        long pid = server.awaitPidFile();
        try (Session s = openWebSocket()) {
            CompletableFuture<HttpResponse<String>> inFlight = FerryCli.plainClient().sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow"))
                            .timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(slowArrived.await(30, TimeUnit.SECONDS)).as("the request reached its backend").isTrue();

            FerryCli.kill("QUIT", pid);
            FerryCli.await("the listener to close", Duration.ofSeconds(30), () -> !FerryCli.listening(port));

            // Two round trips: a drained tunnel reads at most one more chunk from the client, then sends the close.
            for (String message : new String[] {"first while quitting", "second while quitting"}) {
                byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
                RawWebSocket.writeFrame(s.client().getOutputStream(), 0x1, true, bytes);
                Frame atBackend = RawWebSocket.readFrame(s.upstream().getInputStream());
                assertThat(atBackend.payload()).isEqualTo(bytes);
                RawWebSocket.writeFrame(s.upstream().getOutputStream(), 0x1, false, atBackend.payload());
                Frame echoed = RawWebSocket.readFrame(s.client().getInputStream());
                assertThat(echoed.opcode()).as("not a close while a request is in flight").isEqualTo(0x1);
                assertThat(echoed.payload()).isEqualTo(bytes);
            }
            assertThat(inFlight).as("the request is still in flight").isNotDone();
            assertThat(server.process.isAlive()).isTrue();

            slowRelease.countDown();
            HttpResponse<String> answer = inFlight.get(30, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("slow done");
            long finished = System.nanoTime();
            assertGoingAway(s);
            assertThat(Duration.ofNanos(System.nanoTime() - finished))
                    .as("ended as soon as only WebSockets were left, not when they end on their own")
                    .isLessThan(Duration.ofSeconds(10));
        }
        assertExitedGracefully();
    }
}
