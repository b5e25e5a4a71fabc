package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.cli.FerryCli.Result;
import io.ferry.cli.FerryCli.Server;
import io.ferry.testing.Closer;
import io.ferry.testing.TestTls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a newcomer does first: run the shipped configuration and open the demo page over HTTP and HTTPS, then the
 * WebSocket echo over WSS. The shipped file is used as it is except for its three port numbers (8080, 8443, 8888),
 * which are rewritten to free ones: nginx's language has no way to override a {@code listen} from outside the file,
 * and the machine running the tests may already use those ports.
 */
class DefaultConfigIT {
    @RegisterExtension
    final Closer closer = new Closer();
    private static final int[] SHIPPED_PORTS = {8080, 8443, 8888};
    /** A port taken between choosing it and Ferry binding it is the only reason to try again. */
    private static final int ATTEMPTS = 3;

    @TempDir
    Path tmp;

    private Server server;
    private int http;
    private int https;
    private int demo;

    @BeforeAll
    static void launcherIsBuilt(@TempDir Path dir) throws Exception {
        Result r = FerryCli.run(dir, "-v");
        assertThat(r.exitCode()).as("%s", r).isZero();
    }

    /** The shipped text with each shipped port replaced by the matching one of {@code ports}, nothing else changed. */
    static String withPorts(String shipped, int[] ports) {
        String text = shipped;
        for (int i = 0; i < SHIPPED_PORTS.length; i++) {
            Pattern port = Pattern.compile("\\b" + SHIPPED_PORTS[i] + "\\b");
            assertThat(port.matcher(text).find()).as("conf/ferry.conf uses port %d", SHIPPED_PORTS[i]).isTrue();
            text = port.matcher(text).replaceAll(Integer.toString(ports[i]));
        }
        return text;
    }

    /** Starts bin/ferry on the shipped configuration, on fresh ports again if one was taken meanwhile. */
    private void startOnFreePorts(Path prefix, Path scratch, String shipped) throws Exception {
        for (int attempt = 1; ; attempt++) {
            int[] ports = FerryCli.freePorts(3);
            http = ports[0];
            https = ports[1];
            demo = ports[2];
            Files.writeString(prefix.resolve("conf/ferry.conf"), withPorts(shipped, ports));
            server = closer.add(Server.start(prefix, scratch));
            OptionalLong pid = server.awaitPidFileOrExit();
            if (pid.isPresent()) {
                assertThat(pid.getAsLong()).isEqualTo(server.process.pid());
                return;
            }
            String why = server.stderrText() + server.errorLogText();
            assertThat(why).as("bin/ferry exited before serving").contains("Address already in use");
            assertThat(attempt).as("attempts with fresh ports; last failure:%n%s", why).isLessThan(ATTEMPTS);
            server.close();
        }
    }

    @Test
    void shippedConfigurationServesTheDemoOverHttpHttpsAndWss() throws Exception {
        Path prefix = tmp.resolve("prefix");
        Path scratch = tmp.resolve("scratch");
        // conf/ssl/ is generated state (gitignored): leave it out so the certificate is made as on a first start.
        FerryCli.copyTree(FerryCli.repo().resolve("conf"), prefix.resolve("conf"), "ssl");
        FerryCli.copyTree(FerryCli.repo().resolve("html"), prefix.resolve("html"));
        String indexHtml = Files.readString(prefix.resolve("html/index.html"));
        startOnFreePorts(prefix, scratch, Files.readString(FerryCli.repo().resolve("conf/ferry.conf")));

        HttpResponse<String> plain = FerryCli.get(FerryCli.plainClient(), "http://127.0.0.1:" + http + "/");
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body()).contains("Welcome to Ferry").isEqualTo(indexHtml);

        Path cert = prefix.resolve("conf/ssl/ferry.crt");
        assertThat(cert).as("self-signed certificate generated under the prefix").isRegularFile();
        assertThat(prefix.resolve("conf/ssl/ferry.key")).isRegularFile();
        HttpClient tls = TestTls.httpClient(cert);
        HttpResponse<String> secure = FerryCli.get(tls, "https://localhost:" + https + "/");
        assertThat(secure.statusCode()).isEqualTo(200);
        assertThat(secure.sslSession()).isPresent();
        assertThat(secure.body()).isEqualTo(plain.body());

        String message = "hello over wss " + System.nanoTime();
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket ws = tls.newWebSocketBuilder()
                .buildAsync(URI.create("wss://localhost:" + https + "/wss"), new WebSocket.Listener() {
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
        for (int port : new int[] {http, https, demo}) {
            assertThat(FerryCli.listening(port)).as("port %d closed", port).isFalse();
        }
        assertThat(server.stdoutText()).as("stdout while serving").isEmpty();
    }
}
