package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.cli.FerryCli.Result;
import io.ferry.cli.FerryCli.Server;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A health check's view of a (re)start: as soon as the port accepts, traffic comes at once. Every
 * connection opened from that moment on must be served by the configuration that was loaded, none
 * reset or refused for a limit or a plan not yet in place.
 */
@Timeout(900)
class StartReadinessIT {
    private static final int STARTS = 5;
    private static final int BURST = 200;

    @TempDir
    Path scratch;

    @BeforeAll
    static void launcherIsBuilt(@TempDir Path dir) throws Exception {
        Result r = FerryCli.run(dir, "-v");
        assertThat(r.exitCode()).as("%s", r).isZero();
    }

    /**
     * As the default configuration: demo backends Ferry starts itself, behind proxy_pass; the
     * server listening on {@code ports[i]} proxies to the one on {@code demos[i]}.
     */
    private static String config(int workerConnections, int[] ports, int[] demos) {
        StringBuilder http = new StringBuilder();
        for (int i = 0; i < ports.length; i++) {
            http.append("demo_backend 127.0.0.1:").append(demos[i]).append(";\n")
                    .append("server { listen 127.0.0.1:").append(ports[i])
                    .append("; location / { proxy_pass http://127.0.0.1:").append(demos[i]).append("; } }\n");
        }
        return """
                error_log logs/error.log;
                events { worker_connections %d; }
                http {
                    access_log off;
                %s}
                """.formatted(workerConnections, http);
    }

    /** Polls as a health check does, but as tightly as it can: the first connect that succeeds ends it. */
    private static void awaitAccepting(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                assertThat(System.nanoTime()).as("port %d accepting within %s", port, timeout).isLessThan(deadline);
                Thread.sleep(2);
            }
        }
    }

    @Test
    void everyConnectionRightAfterStartIsServed() throws Exception {
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> failedStarts = new ArrayList<>();
        for (int start = 0; start < STARTS; start++) {
            int[] ports = FerryCli.freePorts(2);
            int port = ports[0];
            Path prefix = scratch.resolve("start-" + start);
            Files.createDirectories(prefix.resolve("conf"));
            Files.writeString(prefix.resolve("conf/ferry.conf"), config(1024, new int[] {port}, new int[] {ports[1]}));
            try (Server server = Server.start(prefix, scratch)) {
                awaitAccepting(port, FerryCli.STARTUP_TIMEOUT);
                Map<String, Integer> burst = burst(port);
                burst.forEach((k, v) -> outcomes.merge(k, v, Integer::sum));
                if (burst.getOrDefault("200", 0) != BURST) {
                    failedStarts.add("start " + start + ": " + burst + "; error log: " + server.errorLogText());
                }
            }
        }
        System.out.printf("%d starts x %d connections right after the port accepted: %s%n", STARTS, BURST, outcomes);
        assertThat(failedStarts).as("starts where a connection was not served").isEmpty();
        assertThat(outcomes).containsExactly(Map.entry("200", STARTS * BURST));
    }

    @Test
    void aListenerAddedByReloadServesFromItsFirstConnection() throws Exception {
        int[] ports = FerryCli.freePorts(6);
        int[] demos = FerryCli.freePorts(6);
        Path prefix = scratch.resolve("reload");
        Path conf = prefix.resolve("conf/ferry.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, config(256, new int[] {ports[0]}, new int[] {demos[0]}));
        Map<String, Integer> outcomes = new TreeMap<>();
        try (Server server = Server.start(prefix, scratch)) {
            long pid = server.awaitPidFile();
            for (int i = 1; i < ports.length; i++) {
                // each reload adds a port whose server proxies to a demo backend the reload adds, and
                // changes the limit every connection is counted against
                Files.writeString(conf, config(256 + 128 * i, Arrays.copyOf(ports, i + 1), Arrays.copyOf(demos, i + 1)));
                FerryCli.kill("HUP", pid);
                int added = ports[i];
                awaitAccepting(added, Duration.ofSeconds(60));
                burst(added).forEach((k, v) -> outcomes.merge(k, v, Integer::sum));
                burst(ports[0]).forEach((k, v) -> outcomes.merge(k, v, Integer::sum));
            }
            System.out.printf("%d reloads x 2 x %d connections: %s%n", ports.length - 1, BURST, outcomes);
            assertThat(outcomes).as("error log: %s", server.errorLogText())
                    .containsExactly(Map.entry("200", (ports.length - 1) * 2 * BURST));
            assertThat(server.errorLogText()).doesNotContain("worker_connections are not enough");
        }
    }

    /**
     * Opens {@link #BURST} connections back to back, each sending its request at once, then reads
     * every answer: the status code, or what happened to the connection instead.
     */
    private static Map<String, Integer> burst(int port) throws IOException {
        byte[] request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        List<Socket> sockets = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        try {
            for (int i = 0; i < BURST; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write(request);
                    sockets.add(s);
                } catch (IOException e) {
                    s.close();
                    outcomes.merge("connect: " + e.getMessage(), 1, Integer::sum);
                }
            }
            for (Socket s : sockets) {
                outcomes.merge(status(s), 1, Integer::sum);
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        return outcomes;
    }

    private static String status(Socket s) {
        try (InputStream in = s.getInputStream()) {
            String head = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            if (head.isEmpty()) {
                return "closed without an answer";
            }
            String line = head.lines().findFirst().orElse("");
            return line.startsWith("HTTP/1.1 ") && line.length() >= 12 ? line.substring(9, 12) : "answer: " + line;
        } catch (IOException e) {
            return "read: " + e.getMessage();
        }
    }
}
