package io.ferry.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SilentPeer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * fastcgi_connect_timeout and fastcgi_send_timeout against peers that never answer the handshake
 * or never read. Every other FastCGI timeout is a minute, so a 504 within seconds can only come
 * from the directive under test.
 */
@Timeout(60)
class FastCgiTimeoutsIT {
    @RegisterExtension
    final Closer closer = new Closer();
    static final long TIMEOUT_MS = 400;

    @TempDir
    Path prefix;
    FerryInstance ferry;
    SilentPeer peer;
    int port;

    void start(String timeouts) throws Exception {
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%d;
                        client_max_body_size 0;
                        fastcgi_connect_timeout 60s;
                        fastcgi_send_timeout 60s;
                        fastcgi_read_timeout 60s;
                        location / {
                            fastcgi_pass 127.0.0.1:%d;
                            %s
                        }
                    }
                }
                """.formatted(port, peer.port(), timeouts)));
    }

    static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(15_000);
        return s;
    }

    @Test
    void aPeerThatNeverAcceptsIs504AfterTheConnectTimeout() throws Exception {
        peer = closer.add(SilentPeer.unaccepting());
        start("fastcgi_connect_timeout " + TIMEOUT_MS + "ms;");
        try (Socket s = connect(port)) {
            long t0 = System.nanoTime();
            RawHttpClient.Response r = RawHttpClient.over(s).get("/index.php");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(r.status()).isEqualTo(504);
            assertThat(ms).isBetween(TIMEOUT_MS, 10_000L);
        }
    }

    @Test
    void aPeerThatNeverReadsTheBodyIs504AfterTheSendTimeout() throws Exception {
        peer = closer.add(SilentPeer.mute());
        start("fastcgi_send_timeout " + TIMEOUT_MS + "ms;");
        // Far more than the socket buffers on both sides of Ferry hold, so the upstream write stalls.
        int size = 32 * 1024 * 1024;
        try (Socket s = connect(port)) {
            long t0 = System.nanoTime();
            OutputStream out = s.getOutputStream();
            out.write(("POST /upload.php HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<Void> body = CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    for (int sent = 0; sent < size; sent += chunk.length) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    // Ferry stops reading the body once it answered: expected
                }
            });
            RawHttpClient.Response r = RawHttpClient.over(s).read();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(r.status()).isEqualTo(504);
            assertThat(ms).isBetween(TIMEOUT_MS, 10_000L);
            assertThat(peer.accepted()).isEqualTo(1);
            s.close();
            body.get(15, TimeUnit.SECONDS);
        }
    }
}
