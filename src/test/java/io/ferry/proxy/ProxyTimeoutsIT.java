package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * proxy_connect_timeout and proxy_send_timeout against peers that stall exactly the phase each one
 * bounds; proxy_read_timeout is set far longer, so a 504 in time can only come from the directive under test.
 */
@Timeout(60)
class ProxyTimeoutsIT {
    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();
    final ErrorLogLines errors = closer.add(ErrorLogLines.capture());
    int port;

    private void start(String server) throws Exception {
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, "http { server { listen 127.0.0.1:" + port + ";\n" + server + "\n} }\n"));
    }

    @Test
    void connectToAPeerThatNeverCompletesTheHandshakeIs504AfterProxyConnectTimeout() throws Exception {
        int unanswered = listenerThatDropsSyns();
        start("""
                proxy_connect_timeout 400ms;
                proxy_read_timeout 30s;
                location / { proxy_pass http://127.0.0.1:%d; }
                """.formatted(unanswered));
        long t0 = System.nanoTime();
        RawHttpClient.Response r;
        try (RawHttpClient client = new RawHttpClient(port)) {
            r = client.get("/c");
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(r.status()).isEqualTo(504);
        assertThat(ms).isBetween(400L, 10_000L);
        assertThat(errors.count("upstream timed out (110: Connection timed out) while connecting to upstream")).isEqualTo(1);
    }

    @Test
    void httpsPeerThatNeverAnswersTheTlsHandshakeIs504AfterProxyConnectTimeout() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        SocketBackend mute = closer.add(SocketBackend.start(s -> done.await(30, TimeUnit.SECONDS)));
        start("""
                proxy_connect_timeout 400ms;
                proxy_read_timeout 30s;
                location / { proxy_pass https://127.0.0.1:%d; }
                """.formatted(mute.port()));
        long t0 = System.nanoTime();
        RawHttpClient.Response r;
        try (RawHttpClient client = new RawHttpClient(port)) {
            r = client.get("/h");
        } finally {
            done.countDown();
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(r.status()).isEqualTo(504);
        assertThat(ms).isBetween(400L, 10_000L);
        assertThat(errors.count("upstream timed out (110: Connection timed out) while SSL handshaking to upstream")).isEqualTo(1);
    }

    @Test
    void peerThatNeverReadsTheBodyIs504AfterProxySendTimeout() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        SocketBackend deaf = SocketBackend.withReceiveBuffer(4096, s -> {
            SocketBackend.readHead(s.getInputStream());
            done.await(30, TimeUnit.SECONDS);
        });
        closer.add(deaf);
        closer.add(done::countDown);
        start("""
                client_max_body_size 0;
                proxy_send_timeout 400ms;
                proxy_read_timeout 30s;
                location / { proxy_pass http://127.0.0.1:%d; }
                """.formatted(deaf.port()));
        // Far more than the socket buffers between Ferry and the peer hold, so Ferry's writes must stall.
        long size = 256L << 20;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(20_000);
            RawHttpClient client = RawHttpClient.over(socket);
            long t0 = System.nanoTime();
            client.send("PUT /s HTTP/1.1\r\nHost: a\r\nContent-Length: " + size + "\r\n\r\n");
            Thread writer = new Thread(() -> writeBody(socket, size), "body-writer");
            writer.setDaemon(true);
            writer.start();
            RawHttpClient.Response r = client.read();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(r.status()).isEqualTo(504);
            assertThat(ms).isBetween(400L, 15_000L);
        }
        assertThat(deaf.connections()).isEqualTo(1);
        assertThat(errors.count("upstream timed out (110: Connection timed out) while sending request to upstream")).isEqualTo(1);
    }

    /**
     * A keepalive connection carries one timer for all its requests: one that was armed for a location's
     * long proxy_read_timeout must not let the next request, from a location with a short one, wait for it.
     */
    @Test
    void pooledConnectionTakesTheNextRequestsShorterReadTimeout() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        SocketBackend answersOnce = closer.add(SocketBackend.start(s -> {
            SocketBackend.readHead(s.getInputStream());
            s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n".getBytes());
            s.getOutputStream().flush();
            SocketBackend.readHead(s.getInputStream());
            done.await(30, TimeUnit.SECONDS);
        }));
        closer.add(done::countDown);
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    upstream b { server 127.0.0.1:%d; keepalive 4; }
                    server {
                        listen 127.0.0.1:%d;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        location /long { proxy_read_timeout 30s; proxy_pass http://b; }
                        location /short { proxy_read_timeout 500ms; proxy_pass http://b; }
                    }
                }
                """.formatted(answersOnce.port(), port)));
        try (RawHttpClient client = new RawHttpClient(port)) {
            assertThat(client.get("/long").status()).isEqualTo(200);
            long t0 = System.nanoTime();
            RawHttpClient.Response r = client.get("/short");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(r.status()).isEqualTo(504);
            assertThat(ms).isBetween(500L, 10_000L);
        }
        assertThat(answersOnce.connections()).as("the second request went over the pooled connection").isEqualTo(1);
    }

    private static void writeBody(Socket socket, long size) {
        byte[] chunk = new byte[64 * 1024];
        try {
            OutputStream out = socket.getOutputStream();
            for (long left = size; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        } catch (IOException e) {
            // Ferry gave up on the request: the rest of the body has nowhere to go
        }
    }

    /**
     * A loopback port whose SYNs go unanswered: a listener that never accepts, with its accept queue
     * filled, makes Linux drop new SYNs, so a connect hangs as it would to a silent remote host.
     */
    private int listenerThatDropsSyns() throws IOException {
        ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        closer.add(listener);
        for (int i = 0; i < 64; i++) {
            Socket filler = new Socket();
            closer.add(filler);
            try {
                filler.connect(listener.getLocalSocketAddress(), 300);
            } catch (SocketTimeoutException full) {
                return listener.getLocalPort();
            }
        }
        throw new AssertionError("the accept queue never filled");
    }
}
