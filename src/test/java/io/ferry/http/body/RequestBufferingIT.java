package io.ferry.http.body;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** proxy_request_buffering on and off with real sockets: what the upstream gets, the variables, retries, temporary files. */
@Timeout(120)
class RequestBufferingIT {
    @TempDir
    Path prefix;

    private static String post(String uri, String body) {
        return "POST " + uri + " HTTP/1.1\r\nHost: h\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static String chunked(String uri, String... chunks) {
        StringBuilder sb = new StringBuilder("POST " + uri + " HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (String c : chunks) {
            sb.append(Integer.toHexString(c.length())).append("\r\n").append(c).append("\r\n");
        }
        return sb.append("0\r\n\r\n").toString();
    }

    /** Files left in client_body_temp once the exchanges ended (they go just after the response's last byte); -1 without the directory. */
    private long tempFiles() throws Exception {
        Path temp = prefix.resolve("client_body_temp");
        if (!Files.isDirectory(temp)) {
            return -1;
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            long n;
            try (Stream<Path> s = Files.list(temp)) {
                n = s.filter(Files::isRegularFile).count();
            }
            if (n == 0 || System.nanoTime() > deadline) {
                return n;
            }
            Thread.sleep(20);
        }
    }

    @Test
    void bufferedBodyIsVariablesAndGoesWithItsLength() throws Exception {
        try (HttpEchoBackend backend = HttpEchoBackend.start()) {
            int port = FerryInstance.freePort();
            try (FerryInstance ignored = FerryInstance.start(prefix, """
                    http { server { listen 127.0.0.1:%d;
                        client_body_buffer_size 1k;
                        add_header X-Body "$request_body";
                        add_header X-Body-File "$request_body_file";
                        location / { proxy_pass http://127.0.0.1:%d; }
                        location /set { proxy_pass http://127.0.0.1:%2$d; proxy_set_body "[$request_body]"; }
                        location /off { proxy_pass http://127.0.0.1:%2$d; proxy_request_buffering off; proxy_http_version 1.1; }
                    } }
                    """.formatted(port, backend.port()))) {
                try (RawHttpClient client = new RawHttpClient(port)) {
                    RawHttpClient.Response small = client.send(post("/", "0123456789")).read();
                    assertThat(small.header("X-Body")).isEqualTo("0123456789");
                    assertThat(small.header("X-Body-File")).isNull();

                    RawHttpClient.Response large = client.send(post("/", "x".repeat(5000))).read();
                    assertThat(large.header("X-Body")).isNull();
                    assertThat(large.header("X-Body-File")).startsWith(prefix.resolve("client_body_temp").toString());
                    assertThat(backend.last().bodyLength()).isEqualTo(5000);

                    client.send(chunked("/", "abc", "defg")).read();
                    assertThat(backend.last().chunked()).isFalse();
                    assertThat(backend.last().headers().get("Content-Length")).isEqualTo("7");

                    client.send(chunked("/set", "abc")).read();
                    assertThat(backend.last().bodyLength()).isEqualTo(5);
                }
                assertThat(tempFiles()).as("the temporary file went with its exchange").isZero();
                try (RawHttpClient client = new RawHttpClient(port)) {
                    RawHttpClient.Response streamed = client.send(chunked("/off", "abc", "defg")).read();
                    assertThat(backend.last().chunked()).as("streamed as it came, chunked with HTTP/1.1").isTrue();
                    assertThat(streamed.header("X-Body")).as("a streamed body within the buffer is still kept").isEqualTo("abcdefg");
                }
            }
        }
    }

    /** A peer that reads the request head and closes: the body must go again, whole, to the next one. */
    @Test
    void retryOnTheNextPeerResendsABodyOfAnyLength() throws Exception {
        try (SocketBackend closer = SocketBackend.start(s -> {
                InputStream in = s.getInputStream();
                SocketBackend.readHead(in);
                in.readNBytes(1000);
                s.close();
            });
             HttpEchoBackend backend = HttpEchoBackend.start()) {
            int port = FerryInstance.freePort();
            try (FerryInstance ignored = FerryInstance.start(prefix, """
                    http {
                        upstream u { server 127.0.0.1:%d; server 127.0.0.1:%d backup; }
                        server { listen 127.0.0.1:%d;
                            location / { proxy_pass http://u; proxy_next_upstream error non_idempotent; }
                        }
                    }
                    """.formatted(closer.port(), backend.port(), port))) {
                String body = "0123456789".repeat(30_000);
                try (RawHttpClient client = new RawHttpClient(port)) {
                    assertThat(client.send(post("/", body)).read().status()).isEqualTo(200);
                }
                assertThat(backend.last().bodyLength()).isEqualTo(body.length());
                assertThat(backend.last().bodySha256Hex()).isEqualTo(sha256(body.getBytes(StandardCharsets.US_ASCII)));
            }
        }
    }

    /** 64 MiB goes through a temporary file (memory holds client_body_buffer_size), arrives intact, and the file goes. */
    @Test
    void largeBodyIsSpooledToDisk() throws Exception {
        try (HttpEchoBackend backend = HttpEchoBackend.start()) {
            int port = FerryInstance.freePort();
            try (FerryInstance ignored = FerryInstance.start(prefix, """
                    http { server { listen 127.0.0.1:%d; client_max_body_size 0;
                        location / { proxy_pass http://127.0.0.1:%d; add_header X-Body-File $request_body_file; }
                    } }
                    """.formatted(port, backend.port()))) {
                byte[] chunk = new byte[1024 * 1024];
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = (byte) (i * 31);
                }
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                int mib = 64;
                try (RawHttpClient client = new RawHttpClient(port)) {
                    client.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + (long) mib * chunk.length + "\r\n\r\n");
                    for (int i = 0; i < mib; i++) {
                        client.send(chunk);
                        sha.update(chunk);
                    }
                    RawHttpClient.Response r = client.read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.header("X-Body-File")).isNotNull();
                }
                assertThat(backend.last().bodyLength()).isEqualTo((long) mib * chunk.length);
                assertThat(backend.last().bodySha256Hex()).isEqualTo(HexFormat.of().formatHex(sha.digest()));
                assertThat(tempFiles()).isZero();
            }
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
