package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import io.ferry.testing.FerryInstance;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Runs the real launcher, {@code <repo>/bin/ferry}, as an operator would: one-shot commands (-t, -T, -v, -s ...)
 * and served instances, with stdout and stderr captured in files and every wait bounded. Other packages' tests
 * use it where only a process of its own will do (a kill -9 in the middle of the work).
 */
public final class FerryCli {
    /**
     * bin/ferry rebuilds the jar when a source file is newer than it (other people edit the tree while tests run),
     * so a command may spend a build's time before doing anything: generous, but bounded.
     */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(240);
    /** Time for a served instance to write its pid file (same build allowance as above). */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(240);
    /** How long a stopping server may take to be gone. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private FerryCli() {
    }

    /** The result of a one-shot command. */
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    static Path repo() {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
    }

    static Path launcher() {
        return repo().resolve("bin/ferry");
    }

    /** Runs {@code bin/ferry args...} to completion; {@code scratch} receives the captured output files. */
    static Result run(Path scratch, String... args) throws IOException, InterruptedException {
        Files.createDirectories(scratch);
        Path out = Files.createTempFile(scratch, "ferry-", ".stdout");
        Path err = Files.createTempFile(scratch, "ferry-", ".stderr");
        List<String> command = new ArrayList<>();
        command.add(launcher().toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(scratch.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("bin/ferry %s did not finish within %s; stderr so far:%n%s",
                        String.join(" ", args), COMMAND_TIMEOUT, Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            if (p.isAlive()) {
                killTree(p.toHandle(), p.descendants().toList());
            }
        }
    }

    /** Polls {@code condition} every 25 ms until it holds, failing after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after %s waiting for %s", timeout, what);
            }
            Thread.sleep(25);
        }
    }

    /** Whether something accepts TCP connections on 127.0.0.1:port. */
    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() {
        return freePorts(1)[0];
    }

    /** {@code n} distinct ports, never handed out before in this JVM nor held by another test JVM. */
    static int[] freePorts(int n) {
        int[] ports = new int[n];
        for (int i = 0; i < n; i++) {
            ports[i] = FerryInstance.freePort();
        }
        return ports;
    }

    /** {@code kill -SIG pid}, asserting that kill(1) succeeded. */
    static void kill(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -%s %d finished", signal, pid).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %d: %s", signal, pid, out).isZero();
    }

    static HttpClient plainClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    static HttpResponse<String> get(HttpClient client, String url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build();
        return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Copies a directory tree, leaving out any top-level entry named in {@code exclude}. */
    static void copyTree(Path from, Path to, String... exclude) throws IOException {
        Set<Path> skipped = new LinkedHashSet<>();
        for (String e : exclude) {
            skipped.add(from.resolve(e));
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : (Iterable<Path>) walk::iterator) {
                if (skipped.stream().anyMatch(source::startsWith)) {
                    continue;
                }
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    /** Kills a process and the given (previously seen) descendants, children first, and waits for them. */
    static void killTree(ProcessHandle root, Collection<ProcessHandle> known) {
        Set<ProcessHandle> all = new LinkedHashSet<>(known);
        if (root.isAlive()) {
            root.descendants().forEach(all::add);
        }
        for (ProcessHandle h : all) {
            h.destroyForcibly();
        }
        root.destroyForcibly();
        for (ProcessHandle h : all) {
            h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
        }
        root.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> root).join();
    }

    /** A served instance: {@code bin/ferry -p PREFIX [args]} kept running in the background. */
    public static final class Server implements AutoCloseable {
        final Process process;
        final Path prefix;
        final Path stdout;
        final Path stderr;
        private final Set<ProcessHandle> seen = new LinkedHashSet<>();

        private Server(Process process, Path prefix, Path stdout, Path stderr) {
            this.process = process;
            this.prefix = prefix;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        /** Starts {@code bin/ferry -p prefix args...}; stdout and stderr go to files beside (not inside) the prefix. */
        public static Server start(Path prefix, Path scratch, String... args) throws IOException {
            return start(List.of(), prefix, scratch, args);
        }

        /**
         * Like {@link #start}, but with the empty signal mask an interactive shell gives its commands. A JVM's
         * children inherit SIGQUIT blocked (HotSpot blocks it in every Java thread); this undoes that with
         * sigprocmask(2) before exec'ing bin/ferry, which keeps the pid (perl exec → bin/ferry).
         */
        static Server startFromShell(Path prefix, Path scratch, String... args) throws IOException {
            return start(List.of("perl", "-MPOSIX", "-e",
                    "sigprocmask(SIG_SETMASK, POSIX::SigSet->new()) or die \"sigprocmask: $!\\n\";"
                            + " exec @ARGV or die \"exec: $!\\n\"",
                    "--"), prefix, scratch, args);
        }

        /** Like {@link #start}, under nohup(1): SIGHUP ignored, as an operator's {@code nohup bin/ferry &} leaves it. */
        static Server startUnderNohup(Path prefix, Path scratch, String... args) throws IOException {
            return start(List.of("nohup"), prefix, scratch, args);
        }

        /** Like {@link #start}, with RLIMIT_NOFILE soft and hard at {@code limit}, so the JVM cannot raise it. */
        static Server startWithOpenFiles(int limit, Path prefix, Path scratch, String... args) throws IOException {
            return start(List.of("bash", "-c", "ulimit -n " + limit + " && exec \"$@\"", "ulimit"), prefix, scratch, args);
        }

        private static Server start(List<String> wrapper, Path prefix, Path scratch, String... args)
                throws IOException {
            Files.createDirectories(scratch);
            Path out = Files.createTempFile(scratch, "served-", ".stdout");
            Path err = Files.createTempFile(scratch, "served-", ".stderr");
            List<String> command = new ArrayList<>(wrapper);
            command.add(launcher().toString());
            command.add("-p");
            command.add(prefix.toString());
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command)
                    .directory(scratch.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            return new Server(p, prefix, out, err);
        }

        public Path pidFile() {
            return prefix.resolve("logs/ferry.pid");
        }

        Path errorLog() {
            return prefix.resolve("logs/error.log");
        }

        /** Waits until the pid file holds a pid (written once every listener is bound) and returns it. */
        public long awaitPidFile() throws InterruptedException, IOException {
            OptionalLong pid = awaitPidFileOrExit();
            if (pid.isEmpty()) {
                fail("bin/ferry exited with %d before writing %s; stderr:%n%s",
                        process.exitValue(), pidFile(), readQuietly(stderr));
            }
            return pid.getAsLong();
        }

        /** Like {@link #awaitPidFile}, but empty when the launcher exited first (e.g. a port it could not bind). */
        OptionalLong awaitPidFileOrExit() throws InterruptedException {
            long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
            while (true) {
                remember();
                if (Files.exists(pidFile())) {
                    String text = readQuietly(pidFile());
                    if (text.endsWith("\n") && text.trim().matches("\\d+")) {
                        remember();
                        return OptionalLong.of(Long.parseLong(text.trim()));
                    }
                }
                if (!process.isAlive()) {
                    return OptionalLong.empty();
                }
                if (System.nanoTime() > deadline) {
                    fail("no pid file %s after %s; stderr:%n%s", pidFile(), STARTUP_TIMEOUT, readQuietly(stderr));
                }
                Thread.sleep(25);
            }
        }

        /** Waits for the launcher to exit and returns its exit code. */
        int awaitExit(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("bin/ferry (pid %d) still running %s later; its signal masks: %s; stderr:%n%s",
                        process.pid(), timeout, signalMasks(process.pid()), readQuietly(stderr));
            }
            return process.exitValue();
        }

        /** Whether any process of this instance (the launcher or its JVM) is still alive. */
        boolean anyAlive() {
            remember();
            return process.isAlive() || seen.stream().anyMatch(ProcessHandle::isAlive);
        }

        String stdoutText() {
            return readQuietly(stdout);
        }

        String stderrText() {
            return readQuietly(stderr);
        }

        String errorLogText() {
            return readQuietly(errorLog());
        }

        /** SigBlk/SigIgn/SigCgt from /proc: tells a blocked or ignored signal from a missing handler. */
        private static String signalMasks(long pid) {
            String status = readQuietly(Path.of("/proc/" + pid + "/status"));
            return String.join(", ", status.lines().filter(l -> l.matches("Sig(Blk|Ign|Cgt):.*"))
                    .map(l -> l.replaceAll("\\s+", " ")).toList());
        }

        private void remember() {
            if (process.isAlive()) {
                process.descendants().forEach(seen::add);
            }
        }

        @Override
        public void close() {
            remember();
            killTree(process.toHandle(), seen);
        }

        private static String readQuietly(Path file) {
            try {
                return Files.exists(file) ? Files.readString(file) : "";
            } catch (IOException e) {
                return "";
            }
        }
    }

    /** What a slow backend waits for before it answers. */
    interface Wait {
        void run() throws InterruptedException;
    }

    /** Answers "slow done" once {@code wait} returns; a backend held by the test until it lets go. */
    static void answerAfter(HttpExchange exchange, Wait wait) throws IOException {
        try {
            wait.run();
            byte[] body = "slow done".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }
}
