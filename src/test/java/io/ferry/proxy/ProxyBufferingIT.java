package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.SocketBackend;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * proxy_buffering against a client that does not read: buffered, the upstream sends all at its own
 * pace (memory, then the temporary file) and is free before the client has the response; unbuffered
 * (or with X-Accel-Buffering: no) it waits for the client. Memory stays bounded both ways.
 */
@Timeout(120)
class ProxyBufferingIT {
    private static final int SIZE = 64 << 20;

    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();
    final CountDownLatch sent = new CountDownLatch(1);
    int port;

    /** An upstream that answers with SIZE bytes and counts {@link #sent} down once all went out. */
    private SocketBackend large(String extraHeader) throws IOException {
        SocketBackend b = SocketBackend.start(s -> {
            SocketBackend.readHead(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + SIZE + "\r\n" + extraHeader + "\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[64 << 10];
            for (int i = 0; i < SIZE / block.length; i++) {
                out.write(block);
            }
            out.flush();
            sent.countDown();
            s.getInputStream().read();
        });
        return closer.add(b);
    }

    private void start(String location) throws Exception {
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, "http { server { listen 127.0.0.1:" + port + ";\n" + location + "\n} }\n"));
    }

    /** A client with a small window that asks and then reads nothing until told to. */
    private Socket ask(String uri) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(16 << 10);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        closer.add(s);
        s.getOutputStream().write(("GET " + uri + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    /** Reads the whole response: its head, and how many bytes followed it. */
    private static String readAll(Socket s, long[] bodyBytes) throws IOException {
        s.setSoTimeout(60_000);
        InputStream in = s.getInputStream();
        String head = SocketBackend.readHead(in);
        byte[] buf = new byte[64 << 10];
        long n = 0;
        for (int r; (r = in.read(buf)) > 0; ) {
            n += r;
        }
        bodyBytes[0] = n;
        return head;
    }

    private Path temp() {
        return prefix.resolve("proxy_temp");
    }

    private long tempFiles() throws IOException {
        if (!Files.isDirectory(temp())) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(temp())) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static long usedMemory() {
        ByteBufAllocatorMetric m = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        return m.usedDirectMemory() + m.usedHeapMemory();
    }

    @Test
    void bufferedResponseFreesTheUpstreamBeforeASlowClientReadsAndDeletesItsTemporaryFile() throws Exception {
        SocketBackend b = large("");
        start("location / { proxy_pass http://127.0.0.1:" + b.port() + "; }");
        long before = usedMemory();
        Socket client = ask("/");
        assertThat(sent.await(30, TimeUnit.SECONDS)).as("the upstream sent all while the client read nothing").isTrue();
        assertThat(tempFiles()).isEqualTo(1);
        assertThat(usedMemory() - before).as("what the response holds in memory").isLessThan(16L << 20);
        long[] got = new long[1];
        String head = readAll(client, got);
        assertThat(head).startsWith("HTTP/1.1 200").contains("Content-Length: " + SIZE);
        assertThat(got[0]).isEqualTo(SIZE);
        assertThat(tempFiles()).isZero();
    }

    @Test
    void unbufferedResponseWaitsForTheClient() throws Exception {
        SocketBackend b = large("");
        start("location / { proxy_buffering off; proxy_pass http://127.0.0.1:" + b.port() + "; }");
        long before = usedMemory();
        Socket client = ask("/");
        assertThat(sent.await(3, TimeUnit.SECONDS)).isFalse();
        assertThat(usedMemory() - before).isLessThan(16L << 20);
        long[] got = new long[1];
        readAll(client, got);
        assertThat(got[0]).isEqualTo(SIZE);
        assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(tempFiles()).isZero();
    }

    @Test
    void xAccelBufferingNoStreamsAndIsNotPassedOn() throws Exception {
        SocketBackend b = large("X-Accel-Buffering: no\r\n");
        start("location / { proxy_pass http://127.0.0.1:" + b.port() + "; }");
        Socket client = ask("/");
        assertThat(sent.await(3, TimeUnit.SECONDS)).isFalse();
        long[] got = new long[1];
        assertThat(readAll(client, got)).doesNotContainIgnoringCase("X-Accel-Buffering");
        assertThat(got[0]).isEqualTo(SIZE);
    }

    @Test
    void ignoredXAccelBufferingLeavesProxyBufferingInCharge() throws Exception {
        SocketBackend b = large("X-Accel-Buffering: no\r\n");
        start("location / { proxy_ignore_headers X-Accel-Buffering; proxy_pass http://127.0.0.1:" + b.port() + "; }");
        Socket client = ask("/");
        assertThat(sent.await(30, TimeUnit.SECONDS)).isTrue();
        long[] got = new long[1];
        readAll(client, got);
        assertThat(got[0]).isEqualTo(SIZE);
    }

    @Test
    void withoutATemporaryFileTheUpstreamIsReadOnlyAsFastAsMemoryDrains() throws Exception {
        SocketBackend b = large("");
        start("location / { proxy_max_temp_file_size 0; proxy_pass http://127.0.0.1:" + b.port() + "; }");
        long before = usedMemory();
        Socket client = ask("/");
        assertThat(sent.await(3, TimeUnit.SECONDS)).isFalse();
        assertThat(usedMemory() - before).isLessThan(16L << 20);
        assertThat(tempFiles()).isZero();
        long[] got = new long[1];
        readAll(client, got);
        assertThat(got[0]).isEqualTo(SIZE);
    }

    @Test
    void temporaryFileIsDeletedWhenTheClientGoesAwayAndLevelsNameItsDirectories() throws Exception {
        SocketBackend b = large("");
        start("location / { proxy_temp_path t 1 2; proxy_pass http://127.0.0.1:" + b.port() + "; }");
        Socket client = ask("/");
        assertThat(sent.await(30, TimeUnit.SECONDS)).isTrue();
        Path file;
        try (Stream<Path> files = Files.walk(prefix.resolve("t"))) {
            file = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        String name = file.getFileName().toString();
        assertThat(name).matches("\\d{10}");
        assertThat(prefix.resolve("t").relativize(file).toString())
                .isEqualTo(name.substring(9) + "/" + name.substring(7, 9) + "/" + name);
        client.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void ignoreClientAbortReadsTheResponseAfterTheClientLeft() throws Exception {
        java.util.concurrent.atomic.AtomicInteger completed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger cut = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch ended = new CountDownLatch(2);
        SocketBackend b = closer.add(SocketBackend.start(s -> {
            try {
                SocketBackend.readHead(s.getInputStream());
                Thread.sleep(300);
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + SIZE + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] block = new byte[64 << 10];
                for (int i = 0; i < SIZE / block.length; i++) {
                    out.write(block);
                }
                out.flush();
                completed.incrementAndGet();
            } catch (IOException e) {
                cut.incrementAndGet();
            } finally {
                ended.countDown();
            }
        }));
        start("proxy_buffering off;\n"
                + "location /keep { proxy_ignore_client_abort on; proxy_pass http://127.0.0.1:" + b.port() + "; }\n"
                + "location /drop { proxy_pass http://127.0.0.1:" + b.port() + "; }");
        ask("/keep").close();
        ask("/drop").close();
        assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(completed.get()).as("the upstream kept for /keep sent all").isEqualTo(1);
        assertThat(cut.get()).as("the upstream of /drop was cut off").isEqualTo(1);
    }
}
