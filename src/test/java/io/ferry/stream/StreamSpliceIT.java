package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.ferry.net.Transport;
import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Plain stream sessions on epoll go kernel to kernel with splice(2): bytes exact both ways, half-close, counts. */
@Timeout(300)
class StreamSpliceIT {
    static final long SIZE = 256L * 1024 * 1024;
    static final String SPLICED = "relayed by splice(2)";

    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    final ErrorLogLines errors = closer.add(ErrorLogLines.capture());
    int port;

    /** What one side sent and received: the SHA-256 of each, and how many bytes came in. */
    record Sides(String sent, String received, long receivedBytes) {
    }

    void start(String server) throws Exception {
        // error_log's debug level, as the test JVM's logging has no error_log of its own
        Logger errorLog = (Logger) LoggerFactory.getLogger("io.ferry.error");
        Level before = errorLog.getLevel();
        errorLog.setLevel(Level.DEBUG);
        closer.add((AutoCloseable) () -> errorLog.setLevel(before));
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                stream {
                    log_format bytes '$bytes_received $bytes_sent $upstream_bytes_sent $upstream_bytes_received';
                    access_log logs/stream.log bytes;
                    %s
                }
                """.formatted(server.replace("PORT", Integer.toString(port)))));
    }

    @Test
    void twoHundredFiftySixMebibytesEachWayWithAHalfCloseAreExactAndCounted() throws Exception {
        assertThat(Transport.isNative()).as("splice needs the epoll transport").isTrue();
        CompletableFuture<Sides> backendSides = new CompletableFuture<>();
        // Sends its own 256 MiB while it reads the client's until EOF, then closes.
        TcpBackend backend = closer.add(TcpBackend.start(s -> backendSides.complete(exchange(s, 2))));
        start("server { listen 127.0.0.1:PORT; proxy_pass 127.0.0.1:%d; proxy_half_close on; }".formatted(backend.port()));

        Sides client;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            // The client half-closes once its 256 MiB are out, and still reads the backend's to the end.
            client = exchange(s, 1);
        }
        Sides upstream = backendSides.get(60, TimeUnit.SECONDS);
        assertThat(upstream.receivedBytes()).isEqualTo(SIZE);
        assertThat(upstream.received()).isEqualTo(client.sent());
        assertThat(client.receivedBytes()).isEqualTo(SIZE);
        assertThat(client.received()).isEqualTo(upstream.sent());

        assertThat(StreamProxyIT.awaitLogLine(prefix.resolve("logs/stream.log")))
                .isEqualTo(SIZE + " " + SIZE + " " + SIZE + " " + SIZE);
        assertThat(errors.count(SPLICED)).isEqualTo(1);
    }

    @Test
    void aRateLimitedSessionKeepsItsBytesInTheJvm() throws Exception {
        TcpBackend echo = closer.add(TcpBackend.echo());
        start("server { listen 127.0.0.1:PORT; proxy_pass 127.0.0.1:%d; proxy_download_rate 100m; }".formatted(echo.port()));
        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            assertThat(StreamProxyIT.roundTrip(s, data)).isEqualTo(data);
        }
        assertThat(StreamProxyIT.awaitLogLine(prefix.resolve("logs/stream.log")))
                .isEqualTo(data.length + " " + data.length + " " + data.length + " " + data.length);
        assertThat(errors.count(SPLICED)).isZero();
    }

    /**
     * Writes {@link #SIZE} seeded bytes (then shuts the output) on another thread while reading
     * everything until EOF on this one.
     */
    static Sides exchange(Socket s, long seed) throws IOException {
        CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
            try {
                OutputStream out = s.getOutputStream();
                MessageDigest digest = sha256();
                Random random = new Random(seed);
                byte[] chunk = new byte[256 * 1024];
                for (long done = 0; done < SIZE; done += chunk.length) {
                    random.nextBytes(chunk);
                    digest.update(chunk);
                    out.write(chunk);
                }
                out.flush();
                s.shutdownOutput();
                return HexFormat.of().formatHex(digest.digest());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        InputStream in = s.getInputStream();
        MessageDigest digest = sha256();
        byte[] buf = new byte[256 * 1024];
        long received = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            digest.update(buf, 0, n);
            received += n;
        }
        return new Sides(sent.join(), HexFormat.of().formatHex(digest.digest()), received);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
