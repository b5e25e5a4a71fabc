package io.ferry.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real DNS server (Debian's dnsmasq) in the foreground on 127.0.0.1:PORT over UDP, answering
 * only from its own files under a temporary directory, authoritative for ".test" (a name it does
 * not hold is NXDOMAIN), every answer with a TTL of 1 s. Host records change with
 * {@link #hosts}, re-read on SIGHUP; SRV records change with {@link #services}, which restarts it
 * on the same port (dnsmasq reads them once). Tests fail (never skip) when dnsmasq is not installed.
 */
public final class Dnsmasq implements AutoCloseable {
    private final Path dir;
    private final int port;
    private Process process;

    private Dnsmasq(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Starts with {@code hosts} ("ADDRESS NAME" lines, as /etc/hosts) and no SRV records. */
    public static Dnsmasq start(Path dir, String... hosts) throws Exception {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.write(dir.resolve("hosts"), List.of(hosts));
        Dnsmasq d = new Dnsmasq(dir, FerryInstance.freePort());
        d.launch();
        return d;
    }

    public int port() {
        return port;
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("dnsmasq.log"));
        } catch (IOException e) {
            return "(no dnsmasq log: " + e.getMessage() + ")";
        }
    }

    /** Replaces the host records and waits until dnsmasq has read them. */
    public void hosts(String... lines) throws Exception {
        Path tmp = dir.resolve("hosts.new");
        Files.write(tmp, List.of(lines));
        Files.move(tmp, dir.resolve("hosts"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        int before = reads();
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -HUP " + process.pid() + " failed");
        }
        awaitReads(before + 1);
    }

    /** Replaces the SRV records (dnsmasq's --srv-host values) and restarts dnsmasq to read them. */
    public void services(String... srvHosts) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String s : srvHosts) {
            lines.add("srv-host=" + s);
        }
        Files.write(dir.resolve("conf.d/srv.conf"), lines);
        stop();
        launch();
    }

    private void launch() throws Exception {
        Path binary = Path.of("/usr/sbin/dnsmasq");
        if (!Files.isExecutable(binary)) {
            throw new AssertionError("dnsmasq is not installed (looked for /usr/sbin/dnsmasq): "
                    + "run bin/test, which installs Debian's dnsmasq, or apt-get install dnsmasq");
        }
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--no-daemon", "--no-resolv", "--no-hosts",
                "--keep-in-foreground", "--bind-interfaces", "--listen-address=127.0.0.1", "--port=" + port,
                "--addn-hosts=" + dir.resolve("hosts"), "--conf-dir=" + dir.resolve("conf.d"), "--local=/test/",
                "--local-ttl=1", "--pid-file=", "--log-queries", "--log-facility=" + dir.resolve("dnsmasq.log")));
        if ("root".equals(System.getProperty("user.name"))) {
            command.add("--user=root");
        }
        int before = reads();
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dnsmasq.out").toFile())).start();
        awaitReads(before + 1);
    }

    /** How often dnsmasq has read the hosts file so far ("read FILE - N names" in its log). */
    private int reads() {
        String marker = "read " + dir.resolve("hosts");
        String log = log();
        int n = 0;
        for (int at = log.indexOf(marker); at >= 0; at = log.indexOf(marker, at + 1)) {
            n++;
        }
        return n;
    }

    private void awaitReads(int wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (reads() >= wanted) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("dnsmasq exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("dnsmasq.out")) + log());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("dnsmasq did not read its hosts file within 20 s: " + log());
    }

    private void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
