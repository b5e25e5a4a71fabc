package io.ferry.module.gzip;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * gzip end to end on a real Ferry: which responses are compressed (types, length, status, HEAD,
 * HTTP/1.0, Via, gzip_disable), what the compressed head looks like, proxied and returned bodies,
 * gzip_static, and $gzip_ratio in the access log. The second server is a gzip-off backend whose
 * expires/add_header give the front's gzip_proxied something to judge.
 */
@Timeout(120)
class GzipIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    static final String PAGE = "<html><body>" + "<p>gzip me, gzip me again</p>\n".repeat(60) + "</body></html>\n";
    static final String TEXT = "plain text, plain text, plain text, plain text\n".repeat(20);
    static final String RETURNED = "returned by the return directive, returned again and again";

    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static int port;
    static byte[] staticGz;

    @BeforeAll
    static void start() throws Exception {
        Path html = prefix.resolve("html");
        Files.createDirectories(html);
        Files.createDirectories(prefix.resolve("conf"));
        Files.createDirectories(prefix.resolve("logs"));
        Files.writeString(html.resolve("page.html"), PAGE);
        Files.writeString(html.resolve("plain.txt"), TEXT);
        Files.writeString(html.resolve("tiny.html"), "<b>tiny</b>");
        Files.writeString(html.resolve("st.html"), "the original, uncompressed " + PAGE);
        // the .gz holds different text, so the test sees which file was sent
        staticGz = gzip("precompressed on disk " + PAGE);
        Files.write(html.resolve("st.html.gz"), staticGz);
        Files.copy(Path.of("conf/mime.types"), prefix.resolve("conf/mime.types"));
        port = FerryInstance.freePort();
        int backend = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                events { }
                http {
                    include mime.types;
                    default_type application/octet-stream;
                    log_format ratio '$request_uri $gzip_ratio';
                    access_log logs/ratio.log ratio;
                    root html;
                    server {
                        listen 127.0.0.1:%1$d;
                        gzip on;
                        location / { }
                        location /typed/ { alias html/; gzip_types text/plain; }
                        location /any/ { alias html/; gzip_types *; }
                        location /min/ { alias html/; gzip_min_length 5000; }
                        location /vary/ { alias html/; gzip_vary on; }
                        location /v10/ { alias html/; gzip_http_version 1.0; }
                        location /via-any/ { alias html/; gzip_proxied any; }
                        location /disable/ { alias html/; gzip_disable "BadBot/\\d" msie6; }
                        location /off/ { alias html/; gzip off; }
                        location /err-text/ { error_page 404 /plain.txt; }
                        location /err-typed/ { error_page 404 /typed/plain.txt; }
                        location = /return { default_type text/html; return 200 "%3$s"; }
                        location = /nocontent { return 204; }
                        location /static/ { alias html/; gzip_static on; }
                        location /always/ { alias html/; gzip_static always; }
                        location /backend/ { proxy_pass http://127.0.0.1:%2$d/; }
                        location /expired/ { gzip_proxied expired; proxy_pass http://127.0.0.1:%2$d/expired/; }
                        location /fresh/ { gzip_proxied expired; proxy_pass http://127.0.0.1:%2$d/fresh/; }
                        location /nocache/ { gzip_proxied no-cache; proxy_pass http://127.0.0.1:%2$d/nocache/; }
                        location /private/ { gzip_proxied private; proxy_pass http://127.0.0.1:%2$d/private/; }
                        location /nocache-on-private/ { gzip_proxied no-cache; proxy_pass http://127.0.0.1:%2$d/private/; }
                    }
                    server {
                        listen 127.0.0.1:%2$d;
                        access_log off;
                        location / { }
                        location /expired/ { alias html/; expires -1h; }
                        location /fresh/ { alias html/; expires 1h; }
                        location /nocache/ { alias html/; add_header Cache-Control no-cache; }
                        location /private/ { alias html/; add_header Cache-Control private; }
                    }
                }
                """.formatted(port, backend, RETURNED)));
    }

    static RawHttpClient.Response get(String target, String... headers) throws IOException {
        return request("GET " + target + " HTTP/1.1", false, headers);
    }

    static RawHttpClient.Response gzipGet(String target, String... headers) throws IOException {
        String[] all = new String[headers.length + 1];
        all[0] = "Accept-Encoding: gzip, deflate";
        System.arraycopy(headers, 0, all, 1, headers.length);
        return get(target, all);
    }

    static RawHttpClient.Response request(String requestLine, boolean head, String... headers) throws IOException {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            StringBuilder text = new StringBuilder(requestLine).append("\r\nHost: localhost\r\n");
            for (String h : headers) {
                text.append(h).append("\r\n");
            }
            return raw.send(text.append("\r\n").toString()).read(head);
        }
    }

    static void assertGzipped(RawHttpClient.Response r, String expected) {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-encoding")).isEqualTo("gzip");
        assertThat(r.header("content-length")).isNull();
        assertThat(r.header("accept-ranges")).isNull();
        assertThat(gunzip(r.body())).isEqualTo(expected);
    }

    static void assertPlain(RawHttpClient.Response r, String expected) {
        assertThat(r.header("content-encoding")).isNull();
        assertThat(r.text()).isEqualTo(expected);
    }

    @Test
    void htmlIsCompressedWhenTheClientAcceptsGzip() throws IOException {
        RawHttpClient.Response plain = get("/page.html");
        assertPlain(plain, PAGE);
        assertThat(plain.header("etag")).startsWith("\"");

        RawHttpClient.Response r = gzipGet("/page.html");
        assertGzipped(r, PAGE);
        assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
        assertThat(r.header("content-type")).isEqualTo("text/html");
        assertThat(r.header("etag")).isEqualTo("W/" + plain.header("etag"));
        assertThat(r.body().length).isLessThan(PAGE.length() / 4);
        assertThat(r.header("vary")).as("gzip_vary is off by default").isNull();

        assertPlain(gzipGet("/off/page.html"), PAGE);
        assertPlain(get("/page.html", "Accept-Encoding: deflate, br"), PAGE);
        assertPlain(get("/page.html", "Accept-Encoding: gzip;q=0"), PAGE);
        assertGzipped(get("/page.html", "Accept-Encoding: br;q=1, GZIP;q=0.5"), PAGE);
    }

    @Test
    void onlyGzipTypesAreCompressed() throws IOException {
        assertPlain(gzipGet("/plain.txt"), TEXT);
        assertGzipped(gzipGet("/typed/plain.txt"), TEXT);
        assertGzipped(gzipGet("/typed/page.html"), PAGE);
        assertGzipped(gzipGet("/any/plain.txt"), TEXT);
    }

    @Test
    void shorterThanGzipMinLengthIsNotCompressed() throws IOException {
        assertPlain(gzipGet("/tiny.html"), "<b>tiny</b>");
        assertPlain(gzipGet("/min/page.html"), PAGE);
    }

    @Test
    void headGetsTheCompressedHeadWithoutABody() throws IOException {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            RawHttpClient.Response head = raw.send("HEAD /page.html HTTP/1.1\r\nHost: localhost\r\n"
                    + "Accept-Encoding: gzip\r\n\r\n").read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-encoding")).isEqualTo("gzip");
            assertThat(head.header("content-length")).isNull();
            // no body bytes may follow: the next answer on this connection must parse from its first byte
            RawHttpClient.Response next = raw.send("GET /plain.txt HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
            assertPlain(next, TEXT);
        }
        assertThat(request("HEAD /page.html HTTP/1.1", true).header("content-encoding")).isNull();
    }

    @Test
    void notModifiedAndNoContentAreNotCompressed() throws IOException {
        // as nginx: gzip takes the length away before the range filter looks, so the whole page goes compressed
        RawHttpClient.Response range = gzipGet("/page.html", "Range: bytes=0-9");
        assertThat(range.status()).isEqualTo(200);
        assertGzipped(range, PAGE);

        String etag = get("/page.html").header("etag");
        RawHttpClient.Response notModified = gzipGet("/page.html", "If-None-Match: " + etag);
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.header("content-encoding")).isNull();

        RawHttpClient.Response none = gzipGet("/nocontent");
        assertThat(none.status()).isEqualTo(204);
        assertThat(none.header("content-encoding")).isNull();
    }

    @Test
    void errorPagesAreCompressedWhenTheirTypeIs() throws IOException {
        RawHttpClient.Response missing = gzipGet("/missing.html");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("content-encoding")).isEqualTo("gzip");
        assertThat(gunzip(missing.body())).contains("<h1>404 Not Found</h1>");

        RawHttpClient.Response text = gzipGet("/err-text/missing");
        assertThat(text.status()).isEqualTo(404);
        assertPlain(text, TEXT);

        RawHttpClient.Response typed = gzipGet("/err-typed/missing");
        assertThat(typed.status()).isEqualTo(404);
        assertThat(typed.header("content-encoding")).isEqualTo("gzip");
        assertThat(gunzip(typed.body())).isEqualTo(TEXT);
    }

    @Test
    void gzipVaryNamesAcceptEncodingWheneverTypeAndLengthAllowCompression() throws IOException {
        assertThat(gzipGet("/vary/page.html").all("vary")).containsExactly("Accept-Encoding");
        RawHttpClient.Response notAccepted = get("/vary/page.html");
        assertPlain(notAccepted, PAGE);
        assertThat(notAccepted.all("vary")).containsExactly("Accept-Encoding");
        assertThat(gzipGet("/vary/tiny.html").header("vary")).isNull();
        assertThat(gzipGet("/vary/plain.txt").header("vary")).isNull();
    }

    @Test
    void http10IsCompressedOnlyWithGzipHttpVersion10AndThenCloseDelimited() throws IOException {
        RawHttpClient.Response old = request("GET /page.html HTTP/1.0", false, "Accept-Encoding: gzip");
        assertPlain(old, PAGE);

        RawHttpClient.Response r = request("GET /v10/page.html HTTP/1.0", false, "Accept-Encoding: gzip");
        assertThat(r.header("content-encoding")).isEqualTo("gzip");
        assertThat(r.header("transfer-encoding")).isNull();
        assertThat(r.header("content-length")).isNull();
        assertThat(r.header("connection")).isEqualToIgnoringCase("close");
        assertThat(gunzip(r.body())).isEqualTo(PAGE);
    }

    @Test
    void requestsThroughAProxyFollowGzipProxied() throws IOException {
        String via = "Via: 1.1 cache.example";
        assertPlain(gzipGet("/page.html", via), PAGE);
        assertGzipped(gzipGet("/via-any/page.html", via), PAGE);

        assertGzipped(gzipGet("/expired/page.html", via), PAGE);
        assertPlain(gzipGet("/fresh/page.html", via), PAGE);
        assertGzipped(gzipGet("/nocache/page.html", via), PAGE);
        assertGzipped(gzipGet("/private/page.html", via), PAGE);
        assertPlain(gzipGet("/nocache-on-private/page.html", via), PAGE);
        // without Via the same locations compress whatever the response's caching headers say
        assertGzipped(gzipGet("/fresh/page.html"), PAGE);
    }

    @Test
    void gzipDisableMatchesTheUserAgent() throws IOException {
        assertPlain(gzipGet("/disable/page.html", "User-Agent: BadBot/2.0"), PAGE);
        assertGzipped(gzipGet("/disable/page.html", "User-Agent: BadBot/x"), PAGE);
        assertPlain(gzipGet("/disable/page.html", "User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.0)"), PAGE);
        assertGzipped(gzipGet("/disable/page.html",
                "User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)"), PAGE);
        assertGzipped(gzipGet("/page.html", "User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.0)"), PAGE);
    }

    @Test
    void proxiedAndReturnedBodiesAreCompressed() throws IOException {
        RawHttpClient.Response proxied = gzipGet("/backend/page.html");
        assertGzipped(proxied, PAGE);
        assertThat(proxied.header("etag")).startsWith("W/\"");
        assertPlain(get("/backend/page.html"), PAGE);

        RawHttpClient.Response returned = gzipGet("/return");
        assertGzipped(returned, RETURNED);
        assertThat(returned.header("content-type")).isEqualTo("text/html");
    }

    @Test
    void gzipStaticServesThePrecompressedFileAsIs() throws IOException {
        RawHttpClient.Response r = gzipGet("/static/st.html");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-encoding")).isEqualTo("gzip");
        assertThat(r.header("content-type")).isEqualTo("text/html");
        assertThat(r.header("content-length")).isEqualTo(String.valueOf(staticGz.length));
        assertThat(r.body()).isEqualTo(staticGz);

        assertPlain(get("/static/st.html"), "the original, uncompressed " + PAGE);

        RawHttpClient.Response always = get("/always/st.html");
        assertThat(always.header("content-encoding")).isEqualTo("gzip");
        assertThat(always.body()).isEqualTo(staticGz);

        // no .gz beside it: the original, compressed on the fly because gzip is on
        assertGzipped(gzipGet("/static/page.html"), PAGE);
        assertPlain(get("/always/page.html"), PAGE);
    }

    @Test
    void gzipRatioIsLogged() throws Exception {
        RawHttpClient.Response r = gzipGet("/page.html?ratio-compressed");
        double expected = PAGE.length() / (double) r.body().length;
        get("/page.html?ratio-plain");

        String compressed = logLine("/page.html?ratio-compressed ");
        double logged = Double.parseDouble(compressed.substring(compressed.indexOf(' ') + 1));
        assertThat(logged).isCloseTo(expected, org.assertj.core.data.Offset.offset(0.01));
        assertThat(logLine("/page.html?ratio-plain ")).isEqualTo("/page.html?ratio-plain -");
    }

    /** The access log line that starts with {@code start}, waiting for it to be written. */
    static String logLine(String start) throws InterruptedException, IOException {
        Path log = prefix.resolve("logs/ratio.log");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Optional<String> line = Files.readAllLines(log).stream().filter(l -> l.startsWith(start)).findFirst();
                if (line.isPresent()) {
                    return line.get();
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no log line starting with " + start + " in " + List.of(Files.readAllLines(log)));
    }

    static String gunzip(byte[] body) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("not a gzip body", e);
        }
    }

    static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
