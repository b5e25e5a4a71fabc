package io.ferry.module.gunzip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * gunzip end to end, after nginx's gunzip.t and gunzip_static.t: ".gz" files served by gzip_static
 * always, error pages, HEAD and Vary, a backend's on-the-fly gzip through proxy_pass, and a corrupt
 * file, which must cut the response off rather than end it.
 */
@Timeout(120)
class GunzipIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    static final String IN = IntStream.range(0, 100).mapToObj(i -> "X%03dXXXXXX".formatted(i)).collect(Collectors.joining());
    static final String LARGE = "a line the backend compresses on the fly\n".repeat(5000);
    /** Compressed a thousandfold: one file chunk inflates to far more than a piece. */
    static final int ZEROS = 24 * 1024 * 1024;

    @TempDir
    static Path prefix;
    static int port;
    static byte[] t1;

    @BeforeAll
    static void start() throws Exception {
        Path html = prefix.resolve("html");
        Files.createDirectories(html);
        Files.createDirectories(prefix.resolve("logs"));
        t1 = GunzipDecoderTest.gzip(IN.getBytes(StandardCharsets.US_ASCII));
        Files.write(html.resolve("t1.gz"), t1);
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.writeBytes(t1);
        two.writeBytes(t1);
        Files.write(html.resolve("t2.gz"), two.toByteArray());
        Files.writeString(html.resolve("t3"), "not compressed");
        byte[] bad = GunzipDecoderTest.gzip(LARGE.getBytes(StandardCharsets.US_ASCII));
        Arrays.fill(bad, bad.length / 2, bad.length / 2 + 16, (byte) 0x55);
        Files.write(html.resolve("bad.gz"), bad);
        Files.writeString(html.resolve("large.txt"), LARGE);
        Files.write(html.resolve("zeros.gz"), GunzipDecoderTest.gzip(new byte[ZEROS]));
        port = FerryInstance.freePort();
        int backend = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                events { }
                http {
                    default_type text/plain;
                    root html;
                    access_log off;
                    server {
                        listen 127.0.0.1:%1$d;
                        location / { gunzip on; gzip_vary on; gzip_static always; }
                        location /error { error_page 500 /t1; return 500; }
                        location /proxied/ {
                            gunzip on;
                            gzip_vary on;
                            proxy_pass http://127.0.0.1:%2$d/;
                            proxy_set_header Accept-Encoding gzip;
                        }
                        location /raw/ { proxy_pass http://127.0.0.1:%2$d/; proxy_set_header Accept-Encoding gzip; }
                    }
                    server {
                        listen 127.0.0.1:%2$d;
                        location / { gzip on; gzip_types text/plain; gzip_http_version 1.0; gzip_static on; }
                    }
                }
                """.formatted(port, backend)));
    }

    static RawHttpClient.Response request(String method, String target, String... headers) throws IOException {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            StringBuilder text = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n");
            for (String h : headers) {
                text.append(h).append("\r\n");
            }
            return raw.send(text.append("\r\n").toString()).read(method.equals("HEAD"));
        }
    }

    /** Through real sockets, piece by piece, then the same connection goes on. */
    @Test
    void aBodyCompressedAThousandfoldComesThroughWhole() throws IOException {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            RawHttpClient.Response r = raw.get("/zeros");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(ZEROS).containsOnly(0);
            assertThat(raw.get("/t1").text()).isEqualTo(IN);
        }
    }

    @Test
    void aGzFileIsGunzippedForAClientWithoutGzip() throws IOException {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            for (int i = 0; i < 2; i++) {
                RawHttpClient.Response r = raw.get("/t1");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("content-encoding")).isNull();
                assertThat(r.header("content-length")).isNull();
                assertThat(r.header("etag")).isNull();
                assertThat(r.header("accept-ranges")).isNull();
                assertThat(r.header("vary")).isEqualTo("Accept-Encoding");
                assertThat(r.text()).as("the same connection serves the next request").isEqualTo(IN);
            }
        }
    }

    @Test
    void aClientTakingGzipGetsTheFileUntouched() throws IOException {
        RawHttpClient.Response r = request("GET", "/t1", "Accept-Encoding: gzip");
        assertThat(r.header("content-encoding")).isEqualTo("gzip");
        assertThat(r.header("content-length")).isEqualTo(Integer.toString(t1.length));
        assertThat(r.body()).isEqualTo(t1);
        assertThat(r.header("vary")).isEqualTo("Accept-Encoding");
    }

    @Test
    void concatenatedMembersAreOneBody() throws IOException {
        assertThat(request("GET", "/t2").text()).isEqualTo(IN + IN);
    }

    @Test
    void anErrorPageIsGunzipped() throws IOException {
        RawHttpClient.Response r = request("GET", "/error");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.header("content-encoding")).isNull();
        assertThat(r.text()).isEqualTo(IN);
    }

    @Test
    void headLosesContentEncodingAndVaries() throws IOException {
        RawHttpClient.Response r = request("HEAD", "/t1");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-encoding")).isNull();
        assertThat(r.header("content-length")).isNull();
        assertThat(r.header("vary")).isEqualTo("Accept-Encoding");
        RawHttpClient.Response proxied = request("HEAD", "/proxied/large.txt");
        assertThat(proxied.header("content-encoding")).isNull();
        assertThat(proxied.header("vary")).isEqualTo("Accept-Encoding");
    }

    @Test
    void aFileWithoutGzIsNotMarkedAsVarying() throws IOException {
        RawHttpClient.Response get = request("GET", "/t3");
        assertThat(get.text()).isEqualTo("not compressed");
        assertThat(get.header("vary")).isNull();
        assertThat(request("HEAD", "/t3").header("vary")).isNull();
    }

    @Test
    void aBackendsGzipIsGunzippedThroughTheProxy() throws IOException {
        assertThat(request("GET", "/raw/large.txt").header("content-encoding")).as("the backend compresses").isEqualTo("gzip");
        RawHttpClient.Response r = request("GET", "/proxied/large.txt");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-encoding")).isNull();
        assertThat(r.header("vary")).isEqualTo("Accept-Encoding");
        assertThat(r.text()).isEqualTo(LARGE);
        RawHttpClient.Response gz = request("GET", "/proxied/t2");
        assertThat(gz.text()).as("a .gz the backend serves as is").isEqualTo(IN + IN);
    }

    @Test
    void aCorruptStreamIsCutOffAndLogged() throws IOException {
        try (ErrorLogLines log = ErrorLogLines.capture(); RawHttpClient raw = new RawHttpClient(port)) {
            raw.send("GET /bad HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThatThrownBy(raw::read).isInstanceOf(IOException.class);
            assertThat(log.count("gunzip failed")).isEqualTo(1);
        }
    }
}
