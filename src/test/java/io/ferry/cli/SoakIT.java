package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.SocketBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The long run (the soak profile, {@code mvn -Psoak verify}; {@code -Dsoak.minutes=N}, 10 by default): a Ferry
 * child process under proxied HTTP, WebSocket sessions and stream (TCP) sessions at once, reloaded with
 * {@code -s reload} every 10 s, each reload's configuration seen serving. Its RSS, heap after a full GC, open
 * descriptors and threads are sampled once warmed up, every minute after, and at the end, under the same
 * traffic, and must stay flat; no request, session or reload may fail, and the error log may hold nothing at error or worse.
 */
class SoakIT {
    private static final Duration RELOAD_EVERY = Duration.ofSeconds(10);

    @TempDir
    Path prefix;
    @TempDir
    Path scratch;

    private volatile boolean running = true;

    /** What each kind of traffic did: sessions or requests that went right and wrong, and the first failures. */
    private record Tally(String kind, AtomicLong ok, AtomicLong failed, Queue<String> first) {
        Tally(String kind) {
            this(kind, new AtomicLong(), new AtomicLong(), new ConcurrentLinkedQueue<>());
        }
    }

    /** One look at the JVM: resident set, heap in use after a full GC, open descriptors, threads. */
    private record Sample(long rssKb, long heapKb, long fds, long threads) {
        @Override
        public String toString() {
            return String.format("RSS %d MiB, heap after GC %d MiB, %d descriptors, %d threads",
                    rssKb >> 10, heapKb >> 10, fds, threads);
        }
    }

    @Test
    void mixedTrafficWithAReloadEveryTenSecondsLeavesMemoryDescriptorsAndThreadsFlat() throws Exception {
        Duration length = Duration.ofSeconds(Math.round(Double.parseDouble(System.getProperty("soak.minutes", "10")) * 60));
        Duration warmUp = Duration.ofSeconds(Math.max(20, length.toSeconds() / 5));
        try (HttpEchoBackend http = HttpEchoBackend.start();
                SocketBackend ws = SocketBackend.start(SoakIT::echoWebSocket);
                SocketBackend tcp = SocketBackend.start(s -> s.getInputStream().transferTo(s.getOutputStream()))) {
            int[] ports = FerryCli.freePorts(2);
            Files.createDirectories(prefix.resolve("logs"));
            String conf = """
                    error_log logs/error.log notice;
                    pid logs/ferry.pid;
                    worker_shutdown_timeout 5s;
                    http {
                        access_log logs/access.log combined buffer=64k flush=1s;
                        upstream echo { server 127.0.0.1:%d; keepalive 16; }
                        server {
                            listen 127.0.0.1:%d;
                            location /proxy/ { proxy_pass http://echo; proxy_http_version 1.1; proxy_set_header Connection ""; }
                            location /ws { proxy_pass http://127.0.0.1:%d; proxy_http_version 1.1;
                                           proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection upgrade; }
                            location /generation { return 200 "GENERATION"; }
                        }
                    }
                    stream { server { listen 127.0.0.1:%d; proxy_pass 127.0.0.1:%d; } }
                    """.formatted(http.port(), ports[0], ws.port(), ports[1], tcp.port());
            Path confFile = Files.createDirectories(prefix.resolve("conf")).resolve("ferry.conf");
            Files.writeString(confFile, conf.replace("GENERATION", "0"));
            try (FerryCli.Server server = FerryCli.Server.start(prefix, scratch)) {
                server.awaitPidFile();
                long jvm = jvmOf(server);
                Tally web = new Tally("HTTP requests");
                Tally sockets = new Tally("WebSocket sessions");
                Tally streams = new Tally("stream sessions");
                ExecutorService traffic = Executors.newFixedThreadPool(6);
                for (int i = 0; i < 4; i++) {
                    traffic.submit(() -> httpLoop(ports[0], web));
                }
                traffic.submit(() -> webSocketLoop(ports[0], sockets));
                traffic.submit(() -> streamLoop(ports[1], streams));

                long started = System.nanoTime();
                Sample first = null;
                long lastPrinted = 0;
                int generation = 0;
                HttpClient probe = FerryCli.plainClient();
                while (System.nanoTime() - started < length.toNanos()) {
                    Thread.sleep(RELOAD_EVERY.toMillis());
                    long elapsed = System.nanoTime() - started;
                    if (first == null && elapsed >= warmUp.toNanos()) {
                        first = sample(jvm);
                        lastPrinted = elapsed;
                        System.out.printf("soak: after %s: %s%n", warmUp, first);
                    } else if (first != null && elapsed - lastPrinted >= TimeUnit.MINUTES.toNanos(1)) {
                        lastPrinted = elapsed;
                        System.out.printf("soak: after %s: %s%n", Duration.ofNanos(elapsed).withNanos(0), sample(jvm));
                    }
                    String want = Integer.toString(++generation);
                    Files.writeString(confFile, conf.replace("GENERATION", want));
                    FerryCli.Result reload = FerryCli.run(scratch, "-p", prefix.toString(), "-s", "reload");
                    assertThat(reload.exitCode()).as("-s reload #%d: %s", generation, reload).isZero();
                    FerryCli.await("reload #" + generation + " serving", Duration.ofSeconds(10), () -> {
                        try {
                            return FerryCli.get(probe, "http://127.0.0.1:" + ports[0] + "/generation").body().equals(want);
                        } catch (Exception e) {
                            return false;
                        }
                    });
                }
                Sample last = sample(jvm);
                running = false;
                traffic.shutdown();
                assertThat(traffic.awaitTermination(60, TimeUnit.SECONDS)).as("traffic threads stopped").isTrue();
                System.out.printf("soak: after %s and %d reloads: %s%n", length, generation, last);
                for (Tally t : List.of(web, sockets, streams)) {
                    System.out.printf("soak: %s: %d ok, %d failed%n", t.kind(), t.ok().get(), t.failed().get());
                }

                for (Tally t : List.of(web, sockets, streams)) {
                    assertThat(t.first()).as("%s failed (the first ones)", t.kind()).isEmpty();
                    assertThat(t.ok().get()).as(t.kind()).isPositive();
                }
                assertThat(first).as("a sample after the warm-up of %s", warmUp).isNotNull();
                assertThat(last.fds()).as("descriptors: %s, then %s", first, last).isLessThanOrEqualTo(first.fds() + 32);
                assertThat(last.threads()).as("threads: %s, then %s", first, last).isLessThanOrEqualTo(first.threads() + 8);
                assertThat(last.heapKb()).as("heap after GC: %s, then %s", first, last)
                        .isLessThanOrEqualTo(first.heapKb() + (32 << 10));
                assertThat(last.rssKb()).as("RSS: %s, then %s", first, last)
                        .isLessThanOrEqualTo(first.rssKb() + Math.max(128 << 10, first.rssKb() / 4));

                FerryCli.Result quit = FerryCli.run(scratch, "-p", prefix.toString(), "-s", "quit");
                assertThat(quit.exitCode()).as("-s quit: %s", quit).isZero();
                assertThat(server.awaitExit(Duration.ofSeconds(30))).isZero();
                List<String> bad = server.errorLogText().lines()
                        .filter(l -> l.matches(".*\\[(error|crit|alert|emerg)\\].*")).toList();
                assertThat(bad).as("error log lines at error or worse").isEmpty();
            }
        }
    }

    private void failed(Tally t, String what) {
        t.failed().incrementAndGet();
        if (t.first().size() < 10) {
            t.first().add(what);
        }
    }

    private void httpLoop(int port, Tally t) {
        HttpClient client = FerryCli.plainClient();
        for (long i = 0; running; i++) {
            String uri = "/proxy/" + Thread.currentThread().getId() + "/" + i;
            try {
                HttpResponse<String> r = FerryCli.get(client, "http://127.0.0.1:" + port + uri);
                if (r.statusCode() == 200 && r.body().startsWith("GET " + uri + "\n")) {
                    t.ok().incrementAndGet();
                } else {
                    failed(t, uri + " answered " + r.statusCode() + ": " + r.body());
                }
                Thread.sleep(2);
            } catch (Exception e) {
                failed(t, uri + ": " + e);
            }
        }
    }

    /** Sessions of five echoed messages each, closed by the client with 1000. */
    private void webSocketLoop(int port, Tally t) {
        HttpClient client = FerryCli.plainClient();
        while (running) {
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            try {
                WebSocket ws = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
                            private final StringBuilder message = new StringBuilder();

                            /** The client hands a message over in parts as its bytes arrive. */
                            @Override
                            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                                message.append(data);
                                if (last) {
                                    received.add(message.toString());
                                    message.setLength(0);
                                }
                                w.request(1);
                                return null;
                            }

                            @Override
                            public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                                closed.complete(status);
                                return null;
                            }

                            @Override
                            public void onError(WebSocket w, Throwable error) {
                                closed.completeExceptionally(error);
                            }
                        }).get(20, TimeUnit.SECONDS);
                for (int i = 0; i < 5; i++) {
                    String message = "message " + i + " " + "x".repeat(ThreadLocalRandom.current().nextInt(2000));
                    ws.sendText(message, true).get(10, TimeUnit.SECONDS);
                    String echoed = received.poll(10, TimeUnit.SECONDS);
                    if (!message.equals(echoed)) {
                        throw new IllegalStateException("echo of message " + i + " (" + message.length() + " characters) was "
                                + (echoed == null ? "missing" : echoed.length() + " characters"));
                    }
                }
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
                int status = closed.get(10, TimeUnit.SECONDS);
                if (status == WebSocket.NORMAL_CLOSURE) {
                    t.ok().incrementAndGet();
                } else {
                    failed(t, "closed with " + status);
                }
            } catch (Exception e) {
                failed(t, e.toString());
            }
        }
    }

    /** The backend's side: echoes every data frame, answers the close with a close. */
    private static void echoWebSocket(Socket s) throws Exception {
        RawWebSocket.acceptUpgrade(s);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        while (true) {
            RawWebSocket.Frame f = RawWebSocket.readFrame(in);
            RawWebSocket.writeFrame(out, f.opcode(), false, f.payload());
            if (f.opcode() == 0x8) {
                return;
            }
        }
    }

    /**
     * Sessions that send 16 KiB through the stream proxy, read the echo back whole and close; the client never
     * half-closes, which would end the session at once (proxy_half_close is off, as nginx's).
     */
    private void streamLoop(int port, Tally t) {
        byte[] data = new byte[16 << 10];
        while (running) {
            ThreadLocalRandom.current().nextBytes(data);
            try (Socket s = new Socket()) {
                s.setSoTimeout(20_000);
                s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                s.getOutputStream().write(data);
                byte[] back = s.getInputStream().readNBytes(data.length);
                if (Arrays.equals(data, back)) {
                    t.ok().incrementAndGet();
                } else {
                    failed(t, "echo of " + data.length + " bytes came back as " + back.length);
                }
                Thread.sleep(5);
            } catch (Exception e) {
                failed(t, e.toString());
            }
        }
    }

    /** The JVM bin/ferry runs (the pid file names bin/ferry itself). */
    private static long jvmOf(FerryCli.Server server) {
        List<ProcessHandle> java = new ArrayList<>(server.process.descendants()
                .filter(h -> h.info().command().orElse("").endsWith("/java")).toList());
        assertThat(java).as("the JVM under bin/ferry").hasSize(1);
        return java.get(0).pid();
    }

    private static Sample sample(long pid) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        command(jcmd, Long.toString(pid), "GC.run");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(command(jcmd, Long.toString(pid), "GC.heap_info"));
        assertThat(used.find()).as("jcmd GC.heap_info's used heap").isTrue();
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        long fds;
        try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            fds = list.count();
        }
        return new Sample(statusField(status, "VmRSS"), Long.parseLong(used.group(1)), fds, statusField(status, "Threads"));
    }

    private static long statusField(String status, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":\\s*(\\d+)").matcher(status);
        assertThat(m.find()).as("%s in /proc/PID/status", name).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static String command(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", String.join(" ", command)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
        return out;
    }
}
