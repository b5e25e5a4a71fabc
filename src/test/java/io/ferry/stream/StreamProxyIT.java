package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.TestTls;
import io.ferry.tls.SelfSignedCertificates;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** stream {} end to end over real sockets: byte-exact relay, concurrency, TLS, half-close, backpressure, failover, logs. */
@Timeout(120)
class StreamProxyIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    FerryInstance ferry;
    int port;
    final ErrorLogLines errors = closer.add(ErrorLogLines.capture());

    TcpBackend backend(TcpBackend b) {
        return closer.add(b);
    }

    void start(String stream) throws Exception {
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, "stream {\n" + stream.replace("PORT", Integer.toString(port)) + "\n}\n"));
    }

    Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        return s;
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code data} from another thread while reading the same number of bytes back. */
    static byte[] roundTrip(Socket s, byte[] data) throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < data.length; off += 65536) {
                    out.write(data, off, Math.min(65536, data.length - off));
                }
                out.flush();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] back = s.getInputStream().readNBytes(data.length);
        writer.get(30, TimeUnit.SECONDS);
        return back;
    }

    long errorLines(String fragment) {
        return errors.count(fragment);
    }

    @Test
    void sixteenMebibytesRoundTripByteExact() throws Exception {
        TcpBackend echo = backend(TcpBackend.echo());
        start("server { listen 127.0.0.1:PORT; proxy_pass 127.0.0.1:%d; }".formatted(echo.port()));
        byte[] data = random(16 * 1024 * 1024, 16);
        try (Socket s = connect()) {
            byte[] back = roundTrip(s, data);
            assertThat(back.length).isEqualTo(data.length);
            assertThat(MessageDigest.getInstance("SHA-256").digest(back))
                    .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
        }
    }

    @Test
    void hundredConcurrentConnectionsEachGetTheirOwnBytes() throws Exception {
        TcpBackend echo = backend(TcpBackend.echo());
        start("""
                upstream echo { server 127.0.0.1:%d; }
                server { listen 127.0.0.1:PORT; proxy_pass echo; }
                """.formatted(echo.port()));
        ExecutorService pool = Executors.newFixedThreadPool(100);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                long seed = 1000 + i;
                Callable<Boolean> c = () -> {
                    byte[] data = random(200_000 + (int) seed, seed);
                    try (Socket s = connect()) {
                        return java.util.Arrays.equals(roundTrip(s, data), data);
                    }
                };
                results.add(pool.submit(c));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(echo.accepted.get()).isEqualTo(100);
    }

    @Test
    void tlsListenTerminatesTlsToAPlainBackend() throws Exception {
        TcpBackend echo = backend(TcpBackend.echo());
        Path cert = prefix.resolve("conf/stream.crt");
        Path key = prefix.resolve("conf/stream.key");
        SelfSignedCertificates.write(cert, key, List.of("stream.test"), SelfSignedCertificates.KeyType.EC_P256,
                SelfSignedCertificates.KeyEncoding.PKCS8);
        start("""
                log_format tls "$ssl_protocol $bytes_received $status";
                server {
                    listen 127.0.0.1:PORT ssl;
                    ssl_certificate stream.crt;
                    ssl_certificate_key stream.key;
                    proxy_pass 127.0.0.1:%d;
                    access_log logs/tls.log tls;
                }
                """.formatted(echo.port()));
        byte[] data = random(1024 * 1024, 7);
        try (SSLSocket s = (SSLSocket) TestTls.trusting(cert).getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            javax.net.ssl.SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new javax.net.ssl.SNIHostName("stream.test")));
            s.setSSLParameters(p);
            s.startHandshake();
            assertThat(roundTrip(s, data)).isEqualTo(data);
        }
        String line = awaitLogLine(prefix.resolve("logs/tls.log"));
        assertThat(line).matches("TLSv1\\.[23] " + data.length + " 200");
    }

    @Test
    void halfCloseStillDeliversTheWholeReply() throws Exception {
        // Reads until EOF, then answers with the byte count and every byte it got.
        TcpBackend counting = backend(TcpBackend.start(s -> {
            byte[] all = s.getInputStream().readAllBytes();
            OutputStream out = s.getOutputStream();
            out.write(("got " + all.length + "\n").getBytes(StandardCharsets.US_ASCII));
            out.write(all);
            out.flush();
        }));
        start("server { listen 127.0.0.1:PORT; proxy_pass 127.0.0.1:%d; proxy_half_close on; }".formatted(counting.port()));
        byte[] data = random(4 * 1024 * 1024, 5);
        try (Socket s = connect()) {
            s.getOutputStream().write(data);
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\n' && c >= 0) {
                head.write(c);
            }
            assertThat(head.toString(StandardCharsets.US_ASCII)).isEqualTo("got " + data.length);
            byte[] reply = in.readAllBytes();
            assertThat(reply.length).isEqualTo(data.length);
            for (int i = 0; i < data.length; i++) {
                if (reply[i] != data[i]) {
                    throw new AssertionError("reply differs from byte " + i);
                }
            }
        }
    }

    @Test
    void withoutHalfCloseTheClientsEndOfInputEndsTheSession() throws Exception {
        CompletableFuture<Integer> received = new CompletableFuture<>();
        TcpBackend late = backend(TcpBackend.start(s -> {
            received.complete(s.getInputStream().readAllBytes().length);
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            s.getOutputStream().write("too late".getBytes(StandardCharsets.US_ASCII));
        }));
        start("server { listen 127.0.0.1:PORT; proxy_pass 127.0.0.1:%d; }".formatted(late.port()));
        try (Socket s = connect()) {
            s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(s.getInputStream().readAllBytes()).isEmpty();
        }
        assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(5);
    }

    @Test
    void slowReaderStallsTheBackendInsteadOfGrowingMemory() throws Exception {
        long total = 256L * 1024 * 1024;
        AtomicLong written = new AtomicLong();
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) i;
        }
        TcpBackend pusher = backend(TcpBackend.start(s -> {
            OutputStream out = s.getOutputStream();
            while (written.get() < total) {
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
        }, 64 * 1024));
        start("server { listen 127.0.0.1:PORT; proxy_pass 127.0.0.1:%d; }".formatted(pusher.port()));
        // Other tests in this JVM leave pooled memory behind: what counts is what this transfer adds.
        long baseline = allocatorMemory();
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            s.setSoTimeout(20_000);
            // Not reading: once every buffer on the way is full, the backend's writes block.
            long before;
            long after = written.get();
            do {
                before = after;
                Thread.sleep(1000);
                after = written.get();
            } while (after != before);
            long direct = allocatorMemory() - baseline;
            System.out.printf("slow reader: backend stalled after %d bytes of %d; Netty allocator memory in use %d%n",
                    after, total, direct);
            assertThat(after).as("bytes the backend got rid of while the client read nothing").isLessThan(16L * 1024 * 1024);
            assertThat(direct).as("memory Netty's allocator took for this transfer").isLessThan(8L * 1024 * 1024);

            // Reading again: all 256 MiB arrive, in order.
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256 * 1024];
            long received = 0;
            while (received < total) {
                int n = in.read(buf);
                assertThat(n).isPositive();
                for (int i = 0; i < n; i++) {
                    if (buf[i] != (byte) ((received + i) % chunk.length)) {
                        throw new AssertionError("byte " + (received + i) + " differs");
                    }
                }
                received += n;
            }
            assertThat(received).isEqualTo(total);
        }
    }

    @Test
    void connectFailureMovesOnToTheNextServer() throws Exception {
        TcpBackend echo = backend(TcpBackend.echo());
        int refused = FerryInstance.freePort();
        start("""
                log_format up "$upstream_addr $status $upstream_bytes_sent!$upstream_bytes_received";
                upstream pair { server 127.0.0.1:%d max_fails=1 fail_timeout=30s; server 127.0.0.1:%d; }
                server { listen 127.0.0.1:PORT; proxy_pass pair; access_log logs/up.log up; }
                """.formatted(refused, echo.port()));
        for (int i = 0; i < 4; i++) {
            try (Socket s = connect()) {
                byte[] data = ("ping " + i).getBytes(StandardCharsets.US_ASCII);
                assertThat(roundTrip(s, data)).isEqualTo(data);
            }
        }
        assertThat(echo.accepted.get()).isEqualTo(4);
        assertThat(errorLines("connect() failed (111: Connection refused) while connecting to upstream")).isEqualTo(1);
        List<String> lines = awaitLogLines(prefix.resolve("logs/up.log"), 4);
        // Each attempt has its own value, as $upstream_addr: the refused one moved no bytes.
        assertThat(lines).contains("127.0.0.1:" + refused + ", 127.0.0.1:" + echo.port() + " 200 0, 6!0, 6");
    }

    @Test
    void withoutNextUpstreamAFailedConnectEndsTheSessionWith502() throws Exception {
        int refused = FerryInstance.freePort();
        start("""
                log_format st "$remote_addr $upstream_addr $status $bytes_sent $bytes_received";
                server { listen 127.0.0.1:PORT; proxy_pass 127.0.0.1:%d; proxy_next_upstream off; access_log logs/st.log st; }
                """.formatted(refused));
        try (Socket s = connect()) {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(awaitLogLine(prefix.resolve("logs/st.log"))).isEqualTo("127.0.0.1 127.0.0.1:" + refused + " 502 0 0");
    }

    @Test
    void aMapInStreamIsFoundForEachSession() throws Exception {
        TcpBackend echo = backend(TcpBackend.echo());
        start("""
                map $remote_addr $who { 127.0.0.1 local; ~^10\\. inside; default stranger; }
                map $server_port $port_kind { PORT listener; default other; }
                log_format mapped "$who $port_kind";
                server { listen 127.0.0.1:PORT; proxy_pass 127.0.0.1:%d; access_log logs/map.log mapped; }
                """.formatted(echo.port()));
        try (Socket s = connect()) {
            assertThat(roundTrip(s, new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
        }
        assertThat(awaitLogLine(prefix.resolve("logs/map.log"))).isEqualTo("local listener");
    }

    @Test
    void sessionLogHasTheStreamVariables() throws Exception {
        TcpBackend echo = backend(TcpBackend.echo());
        start("""
                log_format basic '$remote_addr:$remote_port $server_port $protocol $status $bytes_sent $bytes_received '
                                 '$upstream_addr $upstream_bytes_sent $upstream_bytes_received $session_time';
                access_log logs/stream.log basic;
                server { listen 127.0.0.1:PORT; proxy_pass 127.0.0.1:%d; }
                """.formatted(echo.port()));
        int localPort;
        try (Socket s = connect()) {
            localPort = s.getLocalPort();
            byte[] data = random(100_000, 9);
            assertThat(roundTrip(s, data)).isEqualTo(data);
        }
        String line = awaitLogLine(prefix.resolve("logs/stream.log"));
        assertThat(line).matches("127\\.0\\.0\\.1:" + localPort + " " + port + " TCP 200 100000 100000 127\\.0\\.0\\.1:"
                + echo.port() + " 100000 100000 \\d+\\.\\d{3}");
    }

    @Test
    void consistentHashOfTheClientAddressKeepsOneBackend() throws Exception {
        TcpBackend a = backend(TcpBackend.echo());
        TcpBackend b = backend(TcpBackend.echo());
        TcpBackend c = backend(TcpBackend.echo());
        start("""
                upstream h { hash $remote_addr consistent; server 127.0.0.1:%d; server 127.0.0.1:%d; server 127.0.0.1:%d; }
                server { listen 127.0.0.1:PORT; proxy_pass h; }
                """.formatted(a.port(), b.port(), c.port()));
        for (int i = 0; i < 9; i++) {
            try (Socket s = connect()) {
                byte[] data = {(byte) i};
                assertThat(roundTrip(s, data)).isEqualTo(data);
            }
        }
        Set<Integer> counts = new HashSet<>(List.of(a.accepted.get(), b.accepted.get(), c.accepted.get()));
        assertThat(counts).containsExactlyInAnyOrder(9, 0);
    }

    @Test
    void idleSessionIsClosedAfterProxyTimeout() throws Exception {
        TcpBackend echo = backend(TcpBackend.echo());
        start("server { listen 127.0.0.1:PORT; proxy_pass 127.0.0.1:%d; proxy_timeout 300ms; }".formatted(echo.port()));
        try (Socket s = connect()) {
            byte[] data = "x".getBytes(StandardCharsets.US_ASCII);
            assertThat(roundTrip(s, data)).isEqualTo(data);
            long t0 = System.nanoTime();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(200L, 5000L);
        }
    }

    static String awaitLogLine(Path file) throws Exception {
        return awaitLogLines(file, 1).get(0);
    }

    static List<String> awaitLogLines(Path file, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                if (lines.size() >= n) {
                    return lines;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + n + " lines in " + file);
    }

    private static long allocatorMemory() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
                ? p.metric().usedDirectMemory() + p.metric().usedHeapMemory() : 0;
    }
}
