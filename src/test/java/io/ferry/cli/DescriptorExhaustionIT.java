package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.cli.FerryCli.Result;
import io.ferry.cli.FerryCli.Server;
import io.ferry.testing.Closer;
import io.ferry.testing.RawHttpClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Ferry whose open files limit runs out: accept() fails, the line nginx writes for it is logged
 * about once a second (not once per attempt), the connections already open are served on, and
 * connections waiting in the kernel's queue are taken as soon as descriptors are free again.
 */
@Timeout(300)
class DescriptorExhaustionIT {
    /** Soft and hard: the JVM raises its soft limit to the hard one, so both must be this low. */
    private static final int OPEN_FILES = 128;
    private static final String LINE = "accept() failed (24: Too many open files)";

    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    @TempDir
    Path scratch;

    @BeforeAll
    static void launcherIsBuilt(@TempDir Path dir) throws Exception {
        Result r = FerryCli.run(dir, "-v");
        assertThat(r.exitCode()).as("%s", r).isZero();
    }

    @Test
    void acceptFailuresAreLoggedOnceASecondAndAcceptingResumes() throws Exception {
        int port = FerryCli.freePort();
        Files.createDirectories(prefix.resolve("conf"));
        // worker_connections well above the descriptors: the limit the connections meet is the system's
        Files.writeString(prefix.resolve("conf/ferry.conf"), """
                worker_processes 1;
                error_log logs/error.log;
                events { worker_connections 4096; }
                http {
                    access_log off;
                    keepalive_timeout 300s;
                    server { listen 127.0.0.1:%d; location / { return 200 "served\\n"; } }
                }
                """.formatted(port));
        Server server = closer.add(Server.startWithOpenFiles(OPEN_FILES, prefix, scratch));
        server.awaitPidFile();

        List<RawHttpClient> served = new ArrayList<>();
        RawHttpClient waiting = null;
        Socket waitingSocket = null;
        while (waiting == null) {
            assertThat(served.size()).as("connections served before accept() failed").isLessThan(OPEN_FILES);
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(3000);
            RawHttpClient client = closer.add(RawHttpClient.over(socket));
            try {
                assertThat(client.get("/").status()).isEqualTo(200);
                served.add(client);
            } catch (SocketTimeoutException e) {
                waiting = client;
                waitingSocket = socket;
            }
        }
        long exhausted = System.nanoTime();

        // the connections Ferry has are served on while it cannot accept
        for (RawHttpClient c : List.of(served.get(0), served.get(served.size() - 1))) {
            assertThat(c.get("/again").status()).isEqualTo(200);
        }
        Thread.sleep(4000);
        long lines = lines(server);
        double seconds = (System.nanoTime() - exhausted) / 1e9 + 3;  // the wait for the first answer included
        System.out.printf("served %d connections with RLIMIT_NOFILE %d; %d \"%s\" lines in %.1f s%n",
                served.size(), OPEN_FILES, lines, LINE, seconds);
        assertThat(server.errorLogText()).contains("[crit]").contains(LINE);
        assertThat(lines).as("lines in %.1f s", seconds).isBetween(1L, (long) Math.ceil(seconds) + 1);

        // descriptors free again: the connection that waited in the queue is taken, then new ones
        long freed = System.nanoTime();
        for (RawHttpClient c : served.subList(0, 10)) {
            c.close();
        }
        waitingSocket.setSoTimeout(10_000);
        assertThat(waiting.read().status()).as("the answer to the request sent while waiting").isEqualTo(200);
        double resumed = (System.nanoTime() - freed) / 1e6;
        try (RawHttpClient fresh = new RawHttpClient(port)) {
            assertThat(fresh.get("/fresh").status()).isEqualTo(200);
        }
        assertThat(served.get(served.size() - 1).get("/still").status()).isEqualTo(200);
        System.out.printf("accepting again %.0f ms after 10 connections closed%n", resumed);
    }

    private static long lines(Server server) {
        return server.errorLogText().lines().filter(l -> l.contains(LINE)).count();
    }
}
