package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.LogFiles;
import io.ferry.tls.SelfSignedCertificates;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** stream ssl_handshake_timeout against a client that never says hello, and proxy_next_upstream_tries against dead peers. */
@Timeout(60)
class StreamTlsTimeoutIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    FerryInstance ferry;
    int port;

    void start(String stream) throws Exception {
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, "stream {\n" + stream.replace("PORT", Integer.toString(port)) + "\n}\n"));
    }

    @Test
    void aClientThatNeverStartsTheHandshakeIsClosedAfterTheTimeout() throws Exception {
        SelfSignedCertificates.write(prefix.resolve("conf/stream.crt"), prefix.resolve("conf/stream.key"), List.of("stream.test"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
        int upstream = FerryInstance.freePort();
        start("""
                server {
                    listen 127.0.0.1:PORT ssl;
                    ssl_certificate stream.crt;
                    ssl_certificate_key stream.key;
                    ssl_handshake_timeout 400ms;
                    proxy_pass 127.0.0.1:%d;
                }
                """.formatted(upstream));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            long t0 = System.nanoTime();
            assertThat(readUntilClosed(s)).isEqualTo(-1);
            // Netty's own handshake timer would close it at 10 s, the directive's default at 60 s.
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(400L, 8_000L);
        }
    }

    /** -1 on a clean close; a reset counts as closed too. */
    private static int readUntilClosed(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (SocketException reset) {
            return -1;
        }
    }

    @Test
    void nextUpstreamTriesBoundsTheAttemptsOverDeadPeers() throws Exception {
        List<Integer> dead = IntStream.range(0, 4).mapToObj(i -> FerryInstance.freePort()).toList();
        int unbounded = FerryInstance.freePort();
        String servers = dead.stream().map(p -> "server 127.0.0.1:" + p + " max_fails=0;").collect(Collectors.joining(" "));
        start("""
                log_format up "$upstream_addr $status";
                upstream dead { %s }
                server { listen 127.0.0.1:PORT; proxy_pass dead; proxy_next_upstream_tries 2; access_log logs/tries.log up; }
                server { listen 127.0.0.1:%d; proxy_pass dead; access_log logs/all.log up; }
                """.formatted(servers, unbounded));
        for (int p : new int[] {port, unbounded}) {
            try (Socket s = new Socket("127.0.0.1", p)) {
                s.setSoTimeout(20_000);
                assertThat(readUntilClosed(s)).isEqualTo(-1);
            }
        }
        assertThat(addresses(LogFiles.awaitLines(prefix.resolve("logs/tries.log"), 1).get(0))).hasSize(2);
        assertThat(addresses(LogFiles.awaitLines(prefix.resolve("logs/all.log"), 1).get(0))).hasSize(4);
    }

    /** The peers tried, from a "$upstream_addr $status" line whose status must be 502. */
    private static List<String> addresses(String line) {
        assertThat(line).endsWith(" 502");
        List<String> tried = List.of(line.substring(0, line.length() - 4).split(", "));
        assertThat(tried).doesNotHaveDuplicates().allMatch(a -> a.startsWith("127.0.0.1:"));
        return tried;
    }
}
