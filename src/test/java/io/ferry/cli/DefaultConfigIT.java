package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.cli.FerryCli.Result;
import io.ferry.cli.FerryCli.Server;
import io.ferry.testing.TestTls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a newcomer does first: run the shipped configuration on its real ports (8080, 8443, 8888) and open the demo
 * page over HTTP and HTTPS, then the WebSocket echo over WSS.
 */
class DefaultConfigIT {
    private static final int HTTP = 8080;
    private static final int HTTPS = 8443;
    private static final int DEMO = 8888;

    @TempDir
    Path tmp;

    private Server server;

    @BeforeAll
    static void launcherIsBuilt(@TempDir Path dir) throws Exception {
        Result r = FerryCli.run(dir, "-v");
        assertThat(r.exitCode()).as("%s", r).isZero();
    }

    @AfterEach
    void cleanUp() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shippedConfigurationServesTheDemoOverHttpHttpsAndWss() throws Exception {
        for (int port : new int[] {HTTP, HTTPS, DEMO}) {
            assumeTrue(FerryCli.bindable(port) && !FerryCli.listening(port), "port " + port + " is already in use");
        }
        Path prefix = tmp.resolve("prefix");
        Path scratch = tmp.resolve("scratch");
        // conf/ssl/ is generated state (gitignored): leave it out so the certificate is made as on a first start.
        FerryCli.copyTree(FerryCli.repo().resolve("conf"), prefix.resolve("conf"), "ssl");
        FerryCli.copyTree(FerryCli.repo().resolve("html"), prefix.resolve("html"));
        String indexHtml = Files.readString(prefix.resolve("html/index.html"));

        server = Server.start(prefix, scratch);
        long pid = server.awaitPidFile();
        assertThat(pid).isEqualTo(server.process.pid());

        HttpResponse<String> plain = FerryCli.get(FerryCli.plainClient(), "http://127.0.0.1:" + HTTP + "/");
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body()).contains("Welcome to Ferry").isEqualTo(indexHtml);

        Path cert = prefix.resolve("conf/ssl/ferry.crt");
        assertThat(cert).as("self-signed certificate generated under the prefix").isRegularFile();
        assertThat(prefix.resolve("conf/ssl/ferry.key")).isRegularFile();
        HttpClient tls = TestTls.httpClient(cert);
        HttpResponse<String> secure = FerryCli.get(tls, "https://localhost:" + HTTPS + "/");
        assertThat(secure.statusCode()).isEqualTo(200);
        assertThat(secure.sslSession()).isPresent();
        assertThat(secure.body()).isEqualTo(plain.body());

        String message = "hello over wss " + System.nanoTime();
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket ws = tls.newWebSocketBuilder()
                .buildAsync(URI.create("wss://localhost:" + HTTPS + "/wss"), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            echoed.complete(text.toString());
                        }
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        echoed.completeExceptionally(error);
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        echoed.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
                        return null;
                    }
                })
                .get(20, TimeUnit.SECONDS);
        ws.sendText(message, true).get(10, TimeUnit.SECONDS);
        assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo(message);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);

        Result stop = FerryCli.run(scratch, "-p", prefix.toString(), "-s", "stop");
        assertThat(stop.exitCode()).as("%s", stop).isZero();
        assertThat(server.awaitExit(FerryCli.STOP_TIMEOUT)).as("exit status; stderr:%n%s", server.stderrText()).isZero();
        FerryCli.await("the Ferry JVM to exit", FerryCli.STOP_TIMEOUT, () -> !server.anyAlive());
        assertThat(server.pidFile()).doesNotExist();
        for (int port : new int[] {HTTP, HTTPS, DEMO}) {
            assertThat(FerryCli.listening(port)).as("port %d closed", port).isFalse();
        }
        assertThat(server.stdoutText()).as("stdout while serving").isEmpty();
    }
}
