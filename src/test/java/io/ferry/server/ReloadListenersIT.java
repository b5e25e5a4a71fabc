package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload that adds one listen port and drops another: the new port answers at once, the dropped
 * one refuses, and a request in flight on the port both configurations keep is answered whole.
 */
@Timeout(60)
class ReloadListenersIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    FerryInstance ferry;
    ServerSocket slow;
    final CountDownLatch arrived = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    static String conf(String version, int port1, int port2, int slowPort) {
        return """
                http {
                    server {
                        listen 127.0.0.1:%d;
                        listen 127.0.0.1:%d;
                        location / { return 200 "%s $server_port"; }
                        location /slow { proxy_pass http://127.0.0.1:%d; }
                    }
                }
                """.formatted(port1, port2, version, slowPort);
    }

    /** An upstream that answers its one request only once the test releases it. */
    void startSlowBackend() throws IOException {
        slow = closer.add(new ServerSocket(0, 8, InetAddress.getLoopbackAddress()));
        Thread t = new Thread(() -> {
            try (Socket s = slow.accept()) {
                InputStream in = s.getInputStream();
                StringBuilder head = new StringBuilder();
                while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
                    int c = in.read();
                    if (c < 0) {
                        return;
                    }
                    head.append((char) c);
                }
                arrived.countDown();
                if (release.await(30, TimeUnit.SECONDS)) {
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow".getBytes(StandardCharsets.US_ASCII));
                }
            } catch (IOException | InterruptedException e) {
                // the test is over
            }
        }, "slow-backend");
        t.setDaemon(true);
        t.start();
    }

    static String body(int port) throws IOException {
        try (RawHttpClient c = new RawHttpClient(port)) {
            RawHttpClient.Response r = c.get("/");
            assertThat(r.status()).isEqualTo(200);
            return r.text();
        }
    }

    @Test
    void addedPortAnswersRemovedPortRefusesKeptPortFinishesItsRequest() throws Exception {
        startSlowBackend();
        int kept = FerryInstance.freePort();
        int removed = FerryInstance.freePort();
        int added = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, conf("v1", kept, removed, slow.getLocalPort())));
        closer.add(release::countDown);
        assertThat(body(removed)).isEqualTo("v1 " + removed);
        assertThatThrownBy(() -> new Socket("127.0.0.1", added).close()).isInstanceOf(ConnectException.class);

        try (RawHttpClient inFlight = new RawHttpClient(kept)) {
            inFlight.send("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(arrived.await(20, TimeUnit.SECONDS)).isTrue();

            Path confFile = prefix.resolve("conf/ferry.conf");
            Files.writeString(confFile, conf("v2", kept, added, slow.getLocalPort()));
            ferry.server().reload(ConfigLoader.load(prefix, confFile, null).config());

            assertThat(body(added)).isEqualTo("v2 " + added);
            assertThat(body(kept)).isEqualTo("v2 " + kept);
            awaitRefused(removed);

            release.countDown();
            RawHttpClient.Response r = inFlight.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("slow");
        }
    }

    /** The dropped listener is closed by the reload, though not necessarily before it returns. */
    static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("port " + port + " still accepts 10 s after the reload dropped it");
                }
            } catch (IOException refused) {
                assertThat(refused).isInstanceOf(ConnectException.class);
                return;
            }
            Thread.sleep(20);
        }
    }
}
