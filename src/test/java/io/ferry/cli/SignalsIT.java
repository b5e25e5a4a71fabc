package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.ferry.cli.FerryCli.Result;
import io.ferry.cli.FerryCli.Server;
import io.ferry.testing.Closer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served lifecycle through the real launcher: pid file, {@code -s stop|quit}, TERM and QUIT sent with kill(1),
 * and a graceful quit that lets an in-flight proxied request finish.
 */
class SignalsIT {
    @RegisterExtension
    final Closer closer = new Closer();
    private static final String NOTICE = "(?m)^\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2} \\[notice\\] \\d+#\\d+: ";

    @TempDir
    Path tmp;

    private Path prefix;
    private Path scratch;
    private int port;
    private String page;
    private Server server;
    private HttpServer backend;
    private ExecutorService backendThreads;
    private final HttpClient client = FerryCli.plainClient();

    @BeforeAll
    static void launcherIsBuilt(@TempDir Path dir) throws Exception {
        Result r = FerryCli.run(dir, "-v");
        assertThat(r.exitCode()).as("%s", r).isZero();
    }

    @BeforeEach
    void prefix() throws IOException {
        prefix = tmp.resolve("prefix");
        scratch = tmp.resolve("scratch");
        Files.createDirectories(prefix.resolve("html"));
        page = "hello from ferry " + UUID.randomUUID() + "\n";
        Files.writeString(prefix.resolve("html/hello.txt"), page);
        port = FerryCli.freePort();
    }

    private void writeConf(String extraLocations) throws IOException {
        Path conf = prefix.resolve("conf/ferry.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, String.join("\n",
                "worker_processes 1;",
                "error_log logs/error.log notice;",
                "pid logs/ferry.pid;",
                "events {",
                "    worker_connections 64;",
                "}",
                "http {",
                "    default_type text/plain;",
                "    server {",
                "        listen 127.0.0.1:" + port + ";",
                "        root html;",
                extraLocations,
                "    }",
                "}",
                ""));
    }

    /** Starts {@code bin/ferry -p PREFIX}, checks the pid file names the launcher and that the file is served. */
    private long startServing(String extraLocations) throws Exception {
        return startServing(extraLocations, false);
    }

    private long startServing(String extraLocations, boolean fromShell) throws Exception {
        writeConf(extraLocations);
        server = closer.add(fromShell ? Server.startFromShell(prefix, scratch) : Server.start(prefix, scratch));
        long pid = server.awaitPidFile();
        assertThat(pid).as("pid in %s", server.pidFile()).isEqualTo(server.process.pid());
        assertThat(FerryCli.listening(port)).as("listening on %d once the pid file exists", port).isTrue();

        HttpResponse<String> r = FerryCli.get(client, "http://127.0.0.1:" + port + "/hello.txt");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(page);
        return pid;
    }

    /** The launcher exited 0 in time, its JVM is gone, the pid file removed, the port closed, stdout silent. */
    private void assertStopped() throws Exception {
        int exit = server.awaitExit(FerryCli.STOP_TIMEOUT);
        assertThat(exit).as("exit status of bin/ferry; stderr:%n%s", server.stderrText()).isZero();
        FerryCli.await("the Ferry JVM to exit", FerryCli.STOP_TIMEOUT, () -> !server.anyAlive());
        assertThat(server.pidFile()).doesNotExist();
        assertThat(FerryCli.listening(port)).as("port %d still accepts connections", port).isFalse();
        assertThat(server.stdoutText()).as("stdout while serving").isEmpty();
        assertThat(server.errorLogText()).containsPattern(NOTICE + "exit$");
    }

    private void assertFastStopLogged() {
        String log = server.errorLogText();
        assertThat(log).containsPattern(NOTICE + ".*exiting$");
        assertThat(log).doesNotContain("gracefully shutting down");
    }

    private void assertGracefulStopLogged() {
        assertThat(server.errorLogText()).containsPattern(NOTICE + "gracefully shutting down$");
    }

    @Test
    void stopCommandEndsTheServer() throws Exception {
        startServing("");

        Result r = FerryCli.run(scratch, "-p", prefix.toString(), "-s", "stop");

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stderr()).as("%s", r).isEmpty();
        assertStopped();
        assertFastStopLogged();
    }

    @Test
    void quitCommandEndsTheServerGracefully() throws Exception {
        startServing("");

        Result r = FerryCli.run(scratch, "-p", prefix.toString(), "-s", "quit");

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stderr()).as("%s", r).isEmpty();
        assertStopped();
        assertGracefulStopLogged();
    }

    @Test
    void termSignalToThePidInThePidFileEndsTheServer() throws Exception {
        long pid = startServing("");

        FerryCli.kill("TERM", pid);

        assertStopped();
        assertFastStopLogged();
    }

    @Test
    void quitSignalToThePidInThePidFileEndsTheServerGracefully() throws Exception {
        long pid = startServing("");

        FerryCli.kill("QUIT", pid);

        assertStopped();
        assertGracefulStopLogged();
    }

    /** nginx installs its own handlers whatever it inherited; a reload must not depend on how Ferry was launched. */
    @Test
    void reloadSignalWorksWhenStartedWithHangupIgnored() throws Exception {
        writeConf("");
        server = closer.add(Server.startUnderNohup(prefix, scratch));
        long pid = server.awaitPidFile();
        assertThat(FerryCli.listening(port)).as("listening on %d once the pid file exists", port).isTrue();
        writeConf("location /reloaded { return 200 \"v2\"; }");

        FerryCli.kill("HUP", pid);

        FerryCli.await("the reloaded configuration", Duration.ofSeconds(10), () -> {
            try {
                return FerryCli.get(client, "http://127.0.0.1:" + port + "/reloaded").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void stopWithoutARunningServerNamesThePidFile() throws Exception {
        writeConf("");

        Result r = FerryCli.run(scratch, "-p", prefix.toString(), "-s", "stop");

        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr()).as("%s", r).contains("\"" + prefix.resolve("logs/ferry.pid") + "\"");
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void gracefulQuitLetsAnInFlightRequestFinish() throws Exception {
        quitWithARequestInFlight(false);
    }

    /**
     * The same, launched the way an operator's shell launches it (nothing blocked), so that Ferry's graceful stop is
     * checked apart from how the launcher copes with a signal mask inherited from a JVM parent.
     */
    @Test
    void gracefulQuitLetsAnInFlightRequestFinishWhenStartedFromAShell() throws Exception {
        quitWithARequestInFlight(true);
    }

    private void quitWithARequestInFlight(boolean fromShell) throws Exception {
        byte[] body = "0123456789abcdef".repeat(16 * 1024).getBytes(StandardCharsets.US_ASCII); // 256 KiB
        CountDownLatch arrived = new CountDownLatch(1);
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backendThreads = Executors.newCachedThreadPool();
        closer.add(backendThreads::shutdownNow);
        closer.add(() -> backend.stop(0));
        backend.setExecutor(backendThreads);
        backend.createContext("/slow", exchange -> {
            try {
                exchange.getRequestBody().readAllBytes();
                arrived.countDown();
                Thread.sleep(1500);
                exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        backend.start();
        long pid = startServing(String.join("\n",
                "        location /slow {",
                "            proxy_pass http://127.0.0.1:" + backend.getAddress().getPort() + ";",
                "        }"), fromShell);

        HttpRequest slow = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow"))
                .timeout(Duration.ofSeconds(30)).GET().build();
        CompletableFuture<HttpResponse<byte[]>> inFlight =
                client.sendAsync(slow, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(arrived.await(20, TimeUnit.SECONDS)).as("the request reached the backend").isTrue();
        assertThat(inFlight).as("the response is still pending when QUIT is sent").isNotDone();

        FerryCli.kill("QUIT", pid);

        HttpResponse<byte[]> response = inFlight.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).hasSize(body.length).isEqualTo(body);
        assertStopped();
        assertGracefulStopLogged();
    }
}
