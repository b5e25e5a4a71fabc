package io.ferry.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * fastcgi_buffering over a kept connection: buffered, a large answer frees the connection for the
 * next request while its client has read nothing; unbuffered, the next request needs another
 * connection. Also fastcgi_hide_header, fastcgi_pass_header, and HEAD ending the connection.
 */
@Timeout(120)
class FastCgiBufferingIT {
    private static final int SIZE = 32 << 20;

    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();
    FakeFastCgiServer fake;
    int port;

    @BeforeEach
    void start() throws Exception {
        byte[] big = new byte[SIZE];
        Arrays.fill(big, (byte) 'x');
        byte[] head = "Content-Type: text/plain\r\nX-Secret: 1\r\nX-Accel-Charset: utf-8\r\nX-Other: 2\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        fake = closer.add(new FakeFastCgiServer(r -> {
            boolean large = r.params().get("REQUEST_URI").endsWith("/big");
            byte[] out = Arrays.copyOf(head, head.length + (large ? SIZE : 2));
            if (large) {
                System.arraycopy(big, 0, out, head.length, SIZE);
            } else {
                out[head.length] = 'o';
                out[head.length + 1] = 'k';
            }
            return new FakeFastCgiServer.Answer(null, out);
        }));
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    upstream fcgi { server 127.0.0.1:%d; keepalive 2; }
                    server { listen 127.0.0.1:%d;
                        fastcgi_param REQUEST_URI $request_uri;
                        fastcgi_keep_conn on;
                        location /on/ { fastcgi_pass fcgi; }
                        location /off/ { fastcgi_buffering off; fastcgi_pass fcgi; }
                        location /hide/ { fastcgi_hide_header X-Secret; fastcgi_pass_header X-Accel-Charset; fastcgi_pass fcgi; }
                    }
                }
                """.formatted(fake.port(), port)));
    }

    private Socket ask(String uri) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(16 << 10);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        closer.add(s);
        s.getOutputStream().write(("GET " + uri + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    private long buffered() throws IOException {
        Path dir = prefix.resolve("fastcgi_temp");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private String small(String uri) throws IOException {
        try (RawHttpClient c = new RawHttpClient(port)) {
            RawHttpClient.Response r = c.get(uri);
            assertThat(r.status()).isEqualTo(200);
            return r.text();
        }
    }

    private static long drain(Socket s) throws IOException {
        s.setSoTimeout(60_000);
        InputStream in = s.getInputStream();
        SocketBackend.readHead(in);
        byte[] buf = new byte[64 << 10];
        long n = 0;
        for (int r; (r = in.read(buf)) > 0; ) {
            n += r;
        }
        return n;
    }

    @Test
    void bufferedAnswerFreesTheConnectionBeforeItsClientReads() throws Exception {
        Socket slow = ask("/on/big");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (buffered() < SIZE - (1 << 20) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(300);
        assertThat(small("/on/small")).isEqualTo("ok");
        assertThat(fake.connections.get()).as("the second request went over the first one's connection").isEqualTo(1);
        assertThat(drain(slow)).isGreaterThanOrEqualTo(SIZE);
        assertThat(buffered()).isZero();
    }

    @Test
    void unbufferedAnswerKeepsItsConnectionUntilTheClientRead() throws Exception {
        Socket slow = ask("/off/big");
        Thread.sleep(1000);
        assertThat(small("/off/small")).isEqualTo("ok");
        assertThat(fake.connections.get()).isEqualTo(2);
        assertThat(drain(slow)).isGreaterThanOrEqualTo(SIZE);
        assertThat(buffered()).isZero();
    }

    @Test
    void hideAndPassHeaderChangeWhatTheClientSees() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            RawHttpClient.Response r = c.get("/hide/small");
            assertThat(r.header("X-Secret")).isNull();
            assertThat(r.header("X-Accel-Charset")).isEqualTo("utf-8");
            assertThat(r.header("X-Other")).isEqualTo("2");
            r = c.get("/on/small");
            assertThat(r.header("X-Secret")).isEqualTo("1");
            assertThat(r.header("X-Accel-Charset")).isNull();
        }
    }

    @Test
    void headEndsTheConnectionAsItsBodyIsNotRead() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            RawHttpClient.Response r = c.send("HEAD /on/small HTTP/1.1\r\nHost: x\r\n\r\n").read(true);
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(small("/on/small")).isEqualTo("ok");
        assertThat(fake.connections.get()).isEqualTo(2);
    }
}
