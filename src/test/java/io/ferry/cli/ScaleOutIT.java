package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ferry.cli.FerryCli.Result;
import io.ferry.cli.RawWebSocket.Frame;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/scale-out as an operator runs it: HAProxy (TCP, PROXY protocol v2, health checks over it) in front of
 * three Ferry processes, each with a {@code hash $arg_user consistent} upstream of three HTTP backends and a
 * WebSocket echo backend. Every client connection comes from 127.0.0.5, so the address the backends are told is
 * the client's only if it crossed both hops. The drain test needs the first one's instances all up, hence the order.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutIT {
    private static final String CLIENT = "127.0.0.5";
    private static final Pattern ANSWER = Pattern.compile("backend=(\\w+) via=(\\w+) real_ip=(\\S*)\n");
    private static final int WEBSOCKETS = 30;
    private static final int LOAD_THREADS = 4;

    @TempDir
    static Path dir;
    @TempDir
    static Path scratch;
    private static Process script;
    private static final Set<ProcessHandle> started = ConcurrentHashMap.newKeySet();
    private static int front;
    private static int stats;

    @BeforeAll
    static void startScaleOut() throws Exception {
        Result built = FerryCli.run(scratch, "-v");
        assertThat(built.exitCode()).as("%s", built).isZero();
        int[] ports = FerryCli.freePorts(9);
        front = ports[0];
        stats = ports[1];
        List<String> command = new ArrayList<>(List.of(FerryCli.repo().resolve("deploy/scale-out").toString(),
                dir.toString()));
        for (int port : ports) {
            command.add(Integer.toString(port));
        }
        Path out = scratch.resolve("scale-out.stdout");
        script = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(scratch.resolve("scale-out.stderr").toFile())
                .start();
        long deadline = System.nanoTime() + FerryCli.STARTUP_TIMEOUT.toNanos();
        while (!Files.readString(out).contains("ready")) {
            script.descendants().forEach(started::add);
            if (!script.isAlive() || System.nanoTime() > deadline) {
                fail("deploy/scale-out not ready (%s); stderr:%n%s%nhaproxy:%n%s", script.isAlive() ? "timed out" : "exited",
                        Files.readString(scratch.resolve("scale-out.stderr")), quietly(dir.resolve("haproxy.log")));
            }
            Thread.sleep(50);
        }
        script.descendants().forEach(started::add);
    }

    /** TERM lets the script stop what it started; whatever is left after that is killed. */
    @AfterAll
    static void stopScaleOut() {
        if (script == null) {
            return;
        }
        script.descendants().forEach(started::add);
        script.destroy();
        try {
            script.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        FerryCli.killTree(script.toHandle(), started);
    }

    @Test
    @Order(1)
    void aUserReachesTheSameBackendThroughEveryInstanceAndTheBackendSeesTheClientAddress() throws Exception {
        // 31 users a round: HAProxy's round robin puts each user on another instance every round.
        Map<String, Set<String>> backends = new TreeMap<>();
        Map<String, Set<String>> instances = new TreeMap<>();
        Set<String> realIps = new TreeSet<>();
        int requests = 0;
        for (int round = 0; round < 3; round++) {
            for (int u = 0; u < 31; u++) {
                String user = "user" + u;
                Matcher m = answer(get("/app?user=" + user));
                requests++;
                backends.computeIfAbsent(user, k -> new TreeSet<>()).add(m.group(1));
                instances.computeIfAbsent(user, k -> new TreeSet<>()).add(m.group(2));
                realIps.add(m.group(3));
            }
        }
        long throughAllThree = instances.values().stream().filter(s -> s.size() == 3).count();
        Set<String> used = new TreeSet<>();
        backends.values().forEach(used::addAll);
        long onOneBackend = backends.values().stream().filter(b -> b.size() == 1).count();
        System.out.printf("scale-out affinity: %d requests, %d of %d users always on the same backend; %d came through "
                + "all 3 instances; backends used %s; addresses the backends saw %s%n",
                requests, onOneBackend, backends.size(), throughAllThree, used, realIps);
        assertThat(backends).as("backends per user").allSatisfy((user, b) -> assertThat(b).as(user).hasSize(1));
        assertThat(instances).as("instances per user").allSatisfy((user, i) -> assertThat(i).as(user).hasSizeGreaterThan(1));
        assertThat(used).as("the ring spreads users over every backend").containsExactly("a", "b", "c");
        assertThat(realIps).as("$remote_addr at the backend, through HAProxy and Ferry").containsExactly(CLIENT);
    }

    @Test
    @Order(2)
    void drainingOneInstanceLosesNoRequestAndItsWebSocketsGoAwayWith1001() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < WEBSOCKETS; i++) {
                sockets.add(openWebSocket("open " + i));
            }
            // No HTTP traffic yet: ferry2's current sessions at HAProxy are exactly its WebSockets.
            int onDrained = currentSessions("ferry2");
            assertThat(onDrained).as("WebSockets on ferry2 of %d", WEBSOCKETS).isPositive();

            Load load = new Load();
            load.start();
            Thread.sleep(1000);
            long drainedPid = Long.parseLong(Files.readString(dir.resolve("ferry2/logs/ferry.pid")).trim());
            long sentBeforeQuit = load.sent.get();
            Result quit = FerryCli.run(scratch, "-p", dir.resolve("ferry2").toString(), "-s", "quit");
            assertThat(quit.exitCode()).as("%s", quit).isZero();
            ProcessHandle drained = ProcessHandle.of(drainedPid).orElse(null);
            if (drained != null) {
                drained.onExit().get(60, TimeUnit.SECONDS);
            }
            FerryCli.await("HAProxy to mark ferry2 down", Duration.ofSeconds(10), () -> "DOWN".equals(status("ferry2")));
            // Traffic goes on a while with two instances left.
            long sentAtExit = load.sent.get();
            Thread.sleep(1000);
            load.stop();

            int goneAway = 0;
            int cut = 0;
            int reconnected = 0;
            int stayed = 0;
            for (int i = 0; i < sockets.size(); i++) {
                Socket s = sockets.get(i);
                Frame first;
                try {
                    first = pollFrame(s);
                } catch (EOFException e) {
                    first = new Frame(-1, true, false, new byte[0]);
                }
                if (first == null) {
                    assertThat(echo(s, "still open " + i)).as("a WebSocket on another instance still echoes").isTrue();
                    stayed++;
                    continue;
                }
                if (endsWith1001(first, s)) {
                    goneAway++;
                } else {
                    cut++;
                }
                s.close();
                sockets.set(i, openWebSocket("reconnected " + i));
                reconnected++;
            }
            System.out.printf("scale-out drain: %d HTTP requests sent (%d before the quit, %d more until ferry2 exited, "
                    + "%d after), %d failed, %d answered by ferry2%n"
                    + "  %d WebSockets, %d on ferry2: %d closed with 1001, %d ended otherwise, %d reconnected through "
                    + "the others, %d stayed open%n",
                    load.sent.get(), sentBeforeQuit, sentAtExit - sentBeforeQuit, load.sent.get() - sentAtExit,
                    load.failures.size(), load.byDrained.get(),
                    WEBSOCKETS, onDrained, goneAway, cut, reconnected, stayed);
            assertThat(load.failures).as("failed requests").isEmpty();
            assertThat(load.byDrained.get()).as("requests ferry2 answered before it left").isPositive();
            assertThat(cut).as("WebSockets ended without a close frame 1001 and nothing after it").isZero();
            assertThat(goneAway).as("WebSockets closed with 1001 = those ferry2 carried").isEqualTo(onDrained);
            assertThat(stayed).isEqualTo(WEBSOCKETS - onDrained);
            assertThat(status("ferry1")).isEqualTo("UP");
            assertThat(status("ferry3")).isEqualTo("UP");
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** HTTP clients on threads of their own, one request per connection, until stopped. */
    private final class Load {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong byDrained = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        void start() {
            for (int t = 0; t < LOAD_THREADS; t++) {
                int id = t;
                Thread thread = new Thread(() -> run(id), "load-" + t);
                thread.start();
                threads.add(thread);
            }
        }

        private void run(int id) {
            for (long n = 0; running.get(); n++) {
                sent.incrementAndGet();
                try {
                    Matcher m = answer(get("/load?user=u" + id + "-" + n));
                    if (m.group(2).equals("ferry2")) {
                        byDrained.incrementAndGet();
                    }
                } catch (IOException | AssertionError e) {
                    failures.add(e.toString());
                }
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    /** A GET from the client's address on a connection of its own, read to its end. */
    private static String get(String target) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(CLIENT), 0));
            s.connect(new InetSocketAddress("127.0.0.1", front), 5_000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: scale-out\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static Matcher answer(String response) {
        assertThat(response).as("response").startsWith("HTTP/1.1 200 ");
        Matcher m = ANSWER.matcher(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertThat(m.matches()).as("backend's answer in %s", response).isTrue();
        return m;
    }

    private Socket openWebSocket(String message) throws IOException {
        Socket s = RawWebSocket.connect(InetAddress.getByName(CLIENT), front, "/ws");
        RawWebSocket.awaitSwitch(s);
        assertThat(echo(s, message)).as("echo of \"%s\"", message).isTrue();
        return s;
    }

    private static boolean echo(Socket s, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        RawWebSocket.writeFrame(s.getOutputStream(), 0x1, true, bytes);
        Frame back = RawWebSocket.readFrame(s.getInputStream());
        return back.opcode() == 0x1 && new String(back.payload(), StandardCharsets.UTF_8).equals(message);
    }

    /** A close frame with code 1001, then the end of the connection. */
    private static boolean endsWith1001(Frame frame, Socket s) throws IOException {
        if (frame.opcode() != 0x8 || frame.payload().length < 2
                || ((frame.payload()[0] & 0xff) << 8 | frame.payload()[1] & 0xff) != 1001) {
            return false;
        }
        try {
            return s.getInputStream().read() == -1;
        } catch (IOException e) {
            return false;
        }
    }

    /** The next frame if one arrives within a short while; a close frame, if any, is there already. */
    private static Frame pollFrame(Socket s) throws IOException {
        s.setSoTimeout(50);
        try {
            return RawWebSocket.readFrame(s.getInputStream());
        } catch (SocketTimeoutException e) {
            return null;
        } finally {
            s.setSoTimeout(RawWebSocket.READ_TIMEOUT_MS);
        }
    }

    /** A server's line of HAProxy's stats, as CSV fields. */
    private static String[] statsLine(String server) throws IOException {
        try (Socket s = new Socket("127.0.0.1", stats)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("GET /stats;csv HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String csv = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return csv.lines().filter(l -> l.startsWith("ferrys," + server + ","))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + server + " in\n" + csv)).split(",");
        }
    }

    private static int currentSessions(String server) throws IOException {
        return Integer.parseInt(statsLine(server)[4]);
    }

    private static String status(String server) {
        try {
            return statsLine(server)[17];
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String quietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
