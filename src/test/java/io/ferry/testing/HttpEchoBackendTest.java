package io.ferry.testing;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HttpEchoBackendTest {
    @RegisterExtension
    final Closer closer = new Closer();

    private HttpEchoBackend backend;

    @BeforeEach
    void start() throws InterruptedException {
        backend = closer.add(HttpEchoBackend.start());
    }

    @Test
    void hashesChunkedAndFixedLengthBodiesOnOneConnection() throws Exception {
        byte[] large = new byte[8 * 1024 * 1024];
        new Random(7).nextBytes(large);
        try (Socket socket = new Socket("127.0.0.1", backend.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();

            out.write(ascii("POST /upload/chunked HTTP/1.1\r\nHost: backend\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
            out.flush();
            Response chunked = Response.read(in);

            out.write(ascii("POST /upload/fixed?x=1 HTTP/1.1\r\nHost: backend\r\nContent-Length: " + large.length
                    + "\r\n\r\n"));
            out.write(large);
            out.flush();
            Response fixed = Response.read(in);

            assertThat(chunked.status).isEqualTo(200);
            assertThat(chunked.headers).containsEntry("content-type", "text/plain");
            assertThat(chunked.body).isEqualTo("POST /upload/chunked\nlength=11 sha256=" + sha256(ascii("hello world"))
                    + "\n");
            assertThat(fixed.status).isEqualTo(200);
            assertThat(fixed.body).isEqualTo("POST /upload/fixed?x=1\nlength=" + large.length + " sha256="
                    + sha256(large) + "\n");
        }

        assertThat(backend.connections()).isEqualTo(1);
        assertThat(backend.requests()).hasSize(2);
        HttpEchoBackend.Recorded first = backend.requests().get(0);
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.uri()).isEqualTo("/upload/chunked");
        assertThat(first.protocol()).isEqualTo("HTTP/1.1");
        assertThat(first.chunked()).isTrue();
        assertThat(first.bodyLength()).isEqualTo(11);
        assertThat(first.bodySha256Hex()).isEqualTo(sha256(ascii("hello world")));
        HttpEchoBackend.Recorded last = backend.last();
        assertThat(last.uri()).isEqualTo("/upload/fixed?x=1");
        assertThat(last.chunked()).isFalse();
        assertThat(last.bodyLength()).isEqualTo(large.length);
        assertThat(last.bodySha256Hex()).isEqualTo(sha256(large));
        assertThat(last.headers().get("Host")).isEqualTo("backend");
    }

    @Test
    void requestHeadersSteerStatusFramingAndHopByHopHeaders() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backend.port() + "/steer"))
                .header("X-Reply-Status", "201")
                .header("X-Reply-Chunked", "1")
                .header("X-Reply-Hop", "1")
                .timeout(Duration.ofSeconds(10))
                .build();

        HttpResponse<String> response = client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .get(10, SECONDS);

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.body()).startsWith("GET /steer\nlength=0 sha256=");
        assertThat(response.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        assertThat(response.headers().firstValue("Content-Length")).isEmpty();
        assertThat(response.headers().firstValue("Connection")).hasValue("X-Secret-Hop");
        assertThat(response.headers().firstValue("X-Secret-Hop")).hasValue("1");
        assertThat(response.headers().firstValue("Trailer")).hasValue("X-T");
        assertThat(response.headers().firstValue("X-End-To-End")).hasValue("yes");
        assertThat(backend.last().chunked()).isFalse();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** Just enough of an HTTP/1.1 response parser for Content-Length framed answers. */
    private record Response(int status, Map<String, String> headers, String body) {
        static Response read(InputStream in) throws IOException {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        header.substring(colon + 1).trim());
            }
            byte[] body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed mid-response");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }
    }
}
