package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.ferry.demo.EchoBackend;
import io.ferry.testing.Closer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Operating a real Ferry process: reload, broken reload, access logs and reopen, graceful quit with WebSockets. */
@Timeout(300)
class OperationsIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    @TempDir
    Path scratch;
    FerryCli.Server server;
    EchoBackend ws;
    HttpServer slow;
    /** /slow/held answers only once the test counts this down (after it saw the reload take effect). */
    final CountDownLatch heldArrived = new CountDownLatch(1);
    final CountDownLatch heldRelease = new CountDownLatch(1);
    int port;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void backends() throws Exception {
        ws = closer.add(EchoBackend.start(new InetSocketAddress("127.0.0.1", 0)));
        slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // A measurable $request_time for the timing log, with room below the 3 s its pattern allows.
        slow.createContext("/", exchange -> FerryCli.answerAfter(exchange, () -> Thread.sleep(1500)));
        slow.createContext("/slow/held", exchange -> FerryCli.answerAfter(exchange, () -> {
            heldArrived.countDown();
            assertThat(heldRelease.await(60, TimeUnit.SECONDS)).as("released by the test").isTrue();
        }));
        slow.setExecutor(Executors.newCachedThreadPool());
        slow.start();
        closer.add(() -> slow.stop(0));
        closer.add(heldRelease::countDown);
        port = FerryCli.freePort();
        Files.createDirectories(prefix.resolve("conf"));
    }

    private String conf(String version, String extraMain, String extraServer) {
        return extraMain + """
                error_log logs/error.log notice;
                events { worker_connections 1024; }
                http {
                    log_format timing '$status $request_time $upstream_addr "$request"';
                    access_log logs/access.log;
                    access_log logs/timing.log timing;
                    server {
                        listen 127.0.0.1:%d;
                        location = /version { return 200 "%s"; }
                        location /slow { proxy_pass http://127.0.0.1:%d; }
                        location /ws { proxy_pass http://127.0.0.1:%d; proxy_read_timeout 60s; }
                        %s
                    }
                }
                """.formatted(port, version, slow.getAddress().getPort(), ws.port(), extraServer);
    }

    private void writeConf(String text) throws IOException {
        Files.writeString(prefix.resolve("conf/ferry.conf"), text);
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    private long startServer() throws Exception {
        server = closer.add(FerryCli.Server.start(prefix, scratch));
        return server.awaitPidFile();
    }

    /** A WebSocket whose text messages and close code land in queues. */
    private static final class Client implements WebSocket.Listener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        WebSocket socket;

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            texts.add(data.toString());
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            closeCode.complete(code);
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            closeCode.completeExceptionally(error);
        }

        String echo(String text) throws Exception {
            socket.sendText(text, true).get(10, TimeUnit.SECONDS);
            return texts.poll(10, TimeUnit.SECONDS);
        }
    }

    private Client openWebSocket() throws Exception {
        Client c = new Client();
        try {
            c.socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), c).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("handshake failed; error log:\n" + Files.readString(server.errorLog()), e);
        }
        return c;
    }

    /** Answers to /version on one thread, in order; once the new configuration answered, the old one must not. */
    private final class Load implements Callable<Void> {
        final AtomicInteger v1 = new AtomicInteger();
        final AtomicInteger v2 = new AtomicInteger();
        private final AtomicBoolean stop;

        Load(AtomicBoolean stop) {
            this.stop = stop;
        }

        @Override
        public Void call() throws Exception {
            while (!stop.get()) {
                String v = get("/version");
                if (v.equals("v2")) {
                    v2.incrementAndGet();
                } else {
                    assertThat(v).isEqualTo("v1");
                    assertThat(v2).as("v1 after the new configuration answered").hasValue(0);
                    v1.incrementAndGet();
                }
            }
            return null;
        }
    }

    @Test
    void reloadKeepsInFlightRequestsAndWebSocketsAndServesTheNewConfig() throws Exception {
        writeConf(conf("v1", "", ""));
        startServer();
        assertThat(get("/version")).isEqualTo("v1");
        Client socket = openWebSocket();
        assertThat(socket.echo("before")).isEqualTo("before");
        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow/held")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(heldArrived.await(30, TimeUnit.SECONDS)).as("the held request reached its backend").isTrue();
        AtomicBoolean stopLoad = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Load> loads = new ArrayList<>();
        List<Future<Void>> running = new ArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                Load l = new Load(stopLoad);
                loads.add(l);
                running.add(pool.submit(l));
            }
            FerryCli.await("answers from the old configuration on every load thread", Duration.ofSeconds(30),
                    () -> loads.stream().allMatch(l -> l.v1.get() > 0) || running.stream().anyMatch(Future::isDone));
            writeConf(conf("v2", "", ""));
            FerryCli.Result reload = FerryCli.run(scratch, "-p", prefix.toString(), "-s", "reload");
            assertThat(reload.exitCode()).as(reload.toString()).isZero();
            long signalled = System.nanoTime();
            FerryCli.await("the new configuration", Duration.ofSeconds(5), () -> {
                try {
                    return get("/version").equals("v2");
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofSeconds(1));
            // The reload has landed: the held request and every load thread are still going.
            assertThat(inFlight).as("the held request").isNotDone();
            for (Future<Void> f : running) {
                if (f.isDone()) {
                    f.get(); // rethrows what ended it
                }
                assertThat(f).as("a load thread").isNotDone();
            }
            FerryCli.await("answers from the new configuration on every load thread", Duration.ofSeconds(30),
                    () -> loads.stream().allMatch(l -> l.v2.get() > 0) || running.stream().anyMatch(Future::isDone));
            stopLoad.set(true);
            for (Future<Void> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertThat(loads).allMatch(l -> l.v1.get() > 0 && l.v2.get() > 0);
        } finally {
            stopLoad.set(true);
            pool.shutdown();
        }
        heldRelease.countDown();
        HttpResponse<String> slowAnswer = inFlight.get(20, TimeUnit.SECONDS);
        assertThat(slowAnswer.statusCode()).isEqualTo(200);
        assertThat(slowAnswer.body()).isEqualTo("slow done");
        assertThat(socket.echo("after reload")).isEqualTo("after reload");
        assertThat(Files.readString(server.errorLog())).contains("reconfiguring");
    }

    @Test
    void brokenReloadKeepsTheOldConfigAndNamesFileAndLine() throws Exception {
        writeConf(conf("v1", "", ""));
        long pid = startServer();
        String broken = conf("v2", "", "bogus_directive on;");
        writeConf(broken);
        int line = broken.substring(0, broken.indexOf("bogus_directive")).split("\n", -1).length;
        FerryCli.Result refused = FerryCli.run(scratch, "-p", prefix.toString(), "-s", "reload");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("unknown directive \"bogus_directive\" in " + prefix.resolve("conf/ferry.conf") + ":" + line);
        FerryCli.kill("HUP", pid);
        FerryCli.await("the error in the error log", Duration.ofSeconds(10), () -> {
            try {
                return Files.readString(server.errorLog()).contains("[emerg]")
                        && Files.readString(server.errorLog()).contains("unknown directive \"bogus_directive\" in "
                        + prefix.resolve("conf/ferry.conf") + ":" + line);
            } catch (IOException e) {
                return false;
            }
        });
        assertThat(server.process.isAlive()).isTrue();
        assertThat(get("/version")).isEqualTo("v1");
    }

    @Test
    void accessLogIsNginxCombinedAndReopenStartsANewFile() throws Exception {
        writeConf(conf("v1", "", ""));
        long pid = startServer();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/version?x=1"))
                .header("Referer", "http://ref.example/")
                .header("User-Agent", "agent \"quoted\"")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        get("/slow/s");
        Path access = prefix.resolve("logs/access.log");
        FerryCli.await("two lines in each access log", Duration.ofSeconds(10),
                () -> lines(access).size() >= 2 && lines(prefix.resolve("logs/timing.log")).size() >= 2);
        String line = lines(access).get(0);
        assertThat(line).matches("127\\.0\\.0\\.1 - - \\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}] "
                + "\"GET /version\\?x=1 HTTP/1\\.1\" 200 2 \"http://ref\\.example/\" \"agent \\\\x22quoted\\\\x22\"");
        List<String> timing = lines(prefix.resolve("logs/timing.log"));
        assertThat(timing.get(0)).matches("200 0\\.\\d{3} - \"GET /version\\?x=1 HTTP/1\\.1\"");
        assertThat(timing.get(1)).matches("200 [12]\\.\\d{3} 127\\.0\\.0\\.1:" + slow.getAddress().getPort() + " \"GET /slow/s HTTP/1\\.1\"");

        Files.move(access, prefix.resolve("logs/access.log.1"));
        FerryCli.Result reopen = FerryCli.run(scratch, "-p", prefix.toString(), "-s", "reopen");
        assertThat(reopen.exitCode()).as(reopen.toString()).isZero();
        // -s reopen returns once the signal is sent: a request before Ferry reopened would be logged to the moved file.
        FerryCli.await("the reopened log file", Duration.ofSeconds(10), () -> Files.exists(access));
        get("/version");
        FerryCli.await("a line in the new file", Duration.ofSeconds(10), () -> lines(access).size() >= 1);
        assertThat(lines(access)).hasSize(1).first().asString().contains("\"GET /version HTTP/1.1\" 200 ");
        assertThat(lines(prefix.resolve("logs/access.log.1"))).hasSize(2);
        assertThat(pid).isPositive();
    }

    @Test
    void webSocketIsLoggedOnceWhenItCloses() throws Exception {
        writeConf(conf("v1", "", ""));
        startServer();
        Client socket = openWebSocket();
        assertThat(socket.echo("12345")).isEqualTo("12345");
        Path access = prefix.resolve("logs/access.log");
        socket.socket.sendClose(1000, "").get(10, TimeUnit.SECONDS);
        socket.closeCode.get(10, TimeUnit.SECONDS);
        FerryCli.await("the WebSocket's log line", Duration.ofSeconds(10), () -> lines(access).size() >= 1);
        assertThat(lines(access)).hasSize(1);
        assertThat(lines(access).get(0)).contains("\"GET /ws HTTP/1.1\" 101 ");
    }

    @Test
    void quitEndsWebSocketsWithGoingAwayAfterTheShutdownTimeout() throws Exception {
        writeConf(conf("v1", "worker_shutdown_timeout 2s;\n", ""));
        startServer();
        Client socket = openWebSocket();
        assertThat(socket.echo("hello")).isEqualTo("hello");
        long t0 = System.nanoTime();
        FerryCli.Result quit = FerryCli.run(scratch, "-p", prefix.toString(), "-s", "quit");
        assertThat(quit.exitCode()).as(quit.toString()).isZero();
        int code = socket.closeCode.get(15, TimeUnit.SECONDS);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(code).isEqualTo(1001);
        assertThat(waited).isBetween(1500L, 6000L);
        FerryCli.await("the backend's close code", Duration.ofSeconds(5), () -> ws.closeCodes().contains(1001));
        assertThat(server.process.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(server.process.exitValue()).isZero();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

}
