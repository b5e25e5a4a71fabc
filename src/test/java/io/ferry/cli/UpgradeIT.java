package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.cli.FerryCli.Result;
import io.ferry.cli.FerryCli.Server;
import io.ferry.cli.RawWebSocket.Frame;
import io.ferry.demo.EchoBackend;
import io.ferry.testing.Closer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ferry -s upgrade} under load: about 1,000 requests a second (keepalive and new connections) and 200
 * open WebSockets through Ferry to an echo backend. The new process binds the ports beside the old one, takes the
 * pid file and sends the old one QUIT; no request fails, the old process's WebSockets keep relaying until
 * worker_shutdown_timeout and then end with close 1001, and the old process exits.
 */
@Timeout(300)
class UpgradeIT {
    private static final int WEBSOCKETS = 200;
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(15);
    /** 32 senders at 32 requests a second each aim at 1,024 a second; each waits for its answer, so a loaded machine gets fewer. */
    private static final int LOAD_THREADS = 32;

    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    @TempDir
    Path scratch;

    /**
     * Without net.ipv4.tcp_migrate_req=1, Linux resets the connections queued on the old listeners when they
     * close (README, "Running several instances"); bin/test sets it, as root.
     */
    @BeforeAll
    static void kernelMovesQueuedConnections(@TempDir Path dir) throws Exception {
        assertThat(Files.readString(Upgrade.MIGRATE_SYSCTL).trim())
                .as("%s (bin/test sets it; by hand: sysctl -w net.ipv4.tcp_migrate_req=1)", Upgrade.MIGRATE_SYSCTL)
                .isEqualTo("1");
        Result r = FerryCli.run(dir, "-h");
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stderr()).contains("-s signal     : send signal to a master process: stop, quit, reopen, reload, upgrade");
    }

    @Test
    void upgradeUnderLoadDropsNoRequestAndCutsNoWebSocket() throws Exception {
        EchoBackend backend = closer.add(EchoBackend.start(new InetSocketAddress("127.0.0.1", 0)));
        int port = FerryCli.freePort();
        Path conf = prefix.resolve("conf/ferry.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, """
                error_log logs/error.log info;
                worker_shutdown_timeout %ds;
                events { worker_connections 4096; }
                http {
                    access_log off;
                    upstream echo { server 127.0.0.1:%d; keepalive 64; }
                    server {
                        listen 127.0.0.1:%d;
                        location / {
                            proxy_pass http://echo;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                        }
                        location /ws {
                            proxy_pass http://127.0.0.1:%d;
                            proxy_http_version 1.1;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection "upgrade";
                            proxy_read_timeout 120s;
                        }
                    }
                }
                """.formatted(SHUTDOWN_TIMEOUT.toSeconds(), backend.port(), port, backend.port()));
        Server old = closer.add(Server.start(prefix, scratch));
        long oldPid = old.awaitPidFile();
        List<ProcessHandle> oldProcesses = new ArrayList<>(old.process.descendants().toList());
        oldProcesses.add(old.process.toHandle());

        List<Socket> sockets = new ArrayList<>();
        closer.add(() -> sockets.forEach(UpgradeIT::closeQuietly));
        for (int i = 0; i < WEBSOCKETS; i++) {
            Socket ws = RawWebSocket.connect(port, "/ws/" + i);
            sockets.add(ws);
            RawWebSocket.awaitSwitch(ws);
            assertEchoes(ws, "before " + i);
        }

        HttpLoad load = new HttpLoad(port, "/load", LOAD_THREADS, 32);
        closer.add(load);
        load.start();
        Thread.sleep(2000);

        Result r = FerryCli.run(scratch, "-p", prefix.toString(), "-s", "upgrade");
        assertThat(r.exitCode()).as("%s", r).isZero();
        FerryCli.await("a new pid in " + old.pidFile(), Duration.ofSeconds(120),
                () -> pidIn(old.pidFile()).filter(p -> p != oldPid).isPresent());
        long newPid = pidIn(old.pidFile()).orElseThrow();
        long quitAt = System.nanoTime();
        closer.add(() -> ProcessHandle.of(newPid).ifPresent(h -> FerryCli.killTree(h, h.descendants().toList())));

        // The old process is draining: its WebSockets still relay both ways.
        for (int i = 0; i < WEBSOCKETS; i++) {
            assertEchoes(sockets.get(i), "while the old one drains " + i);
        }

        ExecutorService readers = Executors.newFixedThreadPool(32);
        closer.add(readers::shutdownNow);
        List<Future<Long>> closes = new ArrayList<>();
        for (Socket ws : sockets) {
            closes.add(readers.submit(() -> {
                Frame close = RawWebSocket.readFrame(ws.getInputStream());
                long at = System.nanoTime();
                assertThat(close.masked()).isFalse();
                assertThat(close.closeCode()).as("the close code Ferry sent").isEqualTo(1001);
                // Ferry relays the backend's answer to the close in the moment it leaves both ends: a second close
                byte[] rest = ws.getInputStream().readAllBytes();
                assertThat(rest.length == 0 || (rest[0] & 0xff) == 0x88).as("only a close after the close").isTrue();
                return at;
            }));
        }
        assertThat(old.awaitExit(SHUTDOWN_TIMEOUT.plusSeconds(30))).as("old launcher's exit; stderr:%n%s",
                old.stderrText()).isZero();
        long earliest = Long.MAX_VALUE;
        for (Future<Long> f : closes) {
            earliest = Math.min(earliest, f.get(30, TimeUnit.SECONDS));
        }
        double closedAfter = (earliest - quitAt) / 1e9;
        assertThat(closedAfter).as("seconds from the takeover (QUIT to the old master) to the first 1001")
                .isGreaterThanOrEqualTo(SHUTDOWN_TIMEOUT.toSeconds() * 0.9);
        FerryCli.await("a 1001 at the backend for every WebSocket", Duration.ofSeconds(10),
                () -> backend.closeCodes().stream().filter(c -> c == 1001).count() == WEBSOCKETS);

        Thread.sleep(2000);
        load.close();
        System.out.printf("upgrade under load: %d requests at %.0f/s, %d failed, %d retried after an idle close,"
                        + " %d slower than 1 s (max %d ms); %d WebSockets ended with 1001 %.1f s after the takeover%n",
                load.requests.get(), load.perSecond(), load.failures.size(), load.retried.get(),
                load.slowerThanOneSecond.get(), load.maxLatencyMicros.get() / 1000, WEBSOCKETS, closedAfter);
        assertThat(load.failures).as("failed requests").isEmpty();
        // a floor, not the aim: on a shared 2-core machine the senders' own round trips cap the rate
        assertThat(load.perSecond()).as("requests a second").isGreaterThan(200);

        assertThat(pidIn(old.pidFile())).as("the pid file names the new master").contains(newPid);
        assertThat(old.pidFile().resolveSibling("ferry.pid.oldbin")).as("removed by the old master as it exits")
                .doesNotExist();
        assertThat(oldProcesses).as("the old launcher and its JVM").noneMatch(ProcessHandle::isAlive);
        assertThat(old.errorLogText()).contains("upgrade: serving, sending QUIT to the old master, pid " + oldPid)
                .contains("gracefully shutting down");

        try (Socket ws = RawWebSocket.connect(port, "/ws/after")) {
            RawWebSocket.awaitSwitch(ws);
            assertEchoes(ws, "through the new process");
        }
        Result stop = FerryCli.run(scratch, "-p", prefix.toString(), "-s", "stop");
        assertThat(stop.exitCode()).as("%s", stop).isZero();
        FerryCli.await("the new master to exit", FerryCli.STOP_TIMEOUT,
                () -> ProcessHandle.of(newPid).map(h -> !h.isAlive()).orElse(true));
    }

    private static void assertEchoes(Socket ws, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        RawWebSocket.writeFrame(ws.getOutputStream(), 0x1, true, bytes);
        Frame echoed = RawWebSocket.readFrame(ws.getInputStream());
        assertThat(echoed.opcode()).as("echo of \"%s\"", message).isEqualTo(0x1);
        assertThat(echoed.payload()).isEqualTo(bytes);
    }

    private static Optional<Long> pidIn(Path pidFile) {
        try {
            String text = Files.readString(pidFile, StandardCharsets.US_ASCII);
            return text.endsWith("\n") && text.trim().matches("\\d+") ? Optional.of(Long.parseLong(text.trim()))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // the test is over
        }
    }
}
