package io.ferry.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.TestTls;
import io.ferry.tls.SelfSignedCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Static files end to end: types from mime.types, validators and 304, ranges (206/416), index
 * files, directory redirects, alias (prefix and regex), symlinks, a 5 MiB file byte-exact over
 * HTTP (FileRegion) and HTTPS (chunked), and traversal attempts that must never leak a byte.
 */
@Timeout(120)
class StaticFilesIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    private static final String SECRET = "TOP-SECRET-7f3a";

    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static int port;
    static int tlsPort;
    static byte[] big;
    static SSLContext tls;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        Path html = prefix.resolve("html");
        Files.createDirectories(html.resolve("dir"));
        Files.createDirectories(html.resolve("multi"));
        Files.createDirectories(html.resolve("empty"));
        Files.createDirectories(html.resolve("typed"));
        Files.createDirectories(prefix.resolve("aliased/sub"));
        Files.createDirectories(prefix.resolve("images/a"));
        Files.createDirectories(prefix.resolve("linked"));
        Files.createDirectories(prefix.resolve("conf"));
        Files.writeString(html.resolve("a.txt"), "hello static\n");
        Files.writeString(html.resolve("style.css"), "body { color: red }\n");
        Files.writeString(html.resolve("page.html"), "<p>page</p>");
        Files.writeString(html.resolve("noext"), "no extension");
        Files.writeString(html.resolve("empty.txt"), "");
        Files.writeString(html.resolve("dir/index.html"), "dir index");
        Files.writeString(html.resolve("multi/b.html"), "second index");
        Files.writeString(html.resolve("typed/t.txt"), "typed");
        Files.writeString(html.resolve("typed/t.bin"), "default typed");
        Files.writeString(prefix.resolve("aliased/ok.txt"), "aliased ok");
        Files.writeString(prefix.resolve("aliased/sub/index.html"), "aliased index");
        Files.write(prefix.resolve("images/a/x.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Files.writeString(prefix.resolve("linked/target.txt"), "through a symlink");
        Files.createSymbolicLink(html.resolve("link.txt"), prefix.resolve("linked/target.txt"));
        Files.writeString(prefix.resolve("secret.txt"), SECRET);
        Files.writeString(prefix.resolve("secret.png"), SECRET);
        big = new byte[5 * 1024 * 1024];
        new Random(7).nextBytes(big);
        Files.write(html.resolve("big.bin"), big);
        Files.copy(Path.of("conf/mime.types"), prefix.resolve("conf/mime.types"));
        Path cert = prefix.resolve("conf/site.crt");
        SelfSignedCertificates.write(cert, prefix.resolve("conf/site.key"), List.of("localhost"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.TRADITIONAL);
        tls = TestTls.trusting(cert);
        port = FerryInstance.freePort();
        tlsPort = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                events { worker_connections 1024; }
                http {
                    include mime.types;
                    default_type application/octet-stream;
                    server {
                        listen 127.0.0.1:%1$d;
                        listen 127.0.0.1:%2$d ssl;
                        server_name localhost;
                        ssl_certificate site.crt;
                        ssl_certificate_key site.key;
                        root html;
                        index index.html;

                        location /files {
                            alias aliased/;
                        }
                        location /multi/ {
                            index a.html b.html;
                        }
                        location /var/ {
                            alias html/multi/;
                            index ${server_name}-none.html $arg_i.html;
                        }
                        location /absolute/ {
                            index /dir/index.html;
                        }
                        location /loop/ {
                            index /loop/;
                        }
                        location ~ ^/pics/(.+\\.png)$ {
                            alias images/$1;
                        }
                        location /typed/ {
                            types { text/x-custom txt; }
                            default_type text/x-default;
                        }
                    }
                }
                """.formatted(port, tlsPort)));
    }

    private static RawHttpClient.Response get(String target, String... headers) throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            return raw.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + String.join("", headers) + "\r\n").read();
        }
    }

    @Test
    void contentTypeComesFromMimeTypesAndDefaultType() throws Exception {
        RawHttpClient.Response txt = get("/a.txt");
        assertThat(txt.status()).isEqualTo(200);
        assertThat(txt.header("content-type")).isEqualTo("text/plain");
        assertThat(txt.header("content-length")).isEqualTo("13");
        assertThat(txt.text()).isEqualTo("hello static\n");
        assertThat(get("/style.css").header("content-type")).isEqualTo("text/css");
        assertThat(get("/page.html").header("content-type")).isEqualTo("text/html");
        assertThat(get("/noext").header("content-type")).isEqualTo("application/octet-stream");
        assertThat(get("/typed/t.txt").header("content-type")).as("a location's own types {}").isEqualTo("text/x-custom");
        assertThat(get("/typed/t.bin").header("content-type")).isEqualTo("text/x-default");
    }

    @Test
    void validatorsAndConditionalRequests() throws Exception {
        RawHttpClient.Response first = get("/a.txt");
        String etag = first.header("etag");
        String lastModified = first.header("last-modified");
        assertThat(etag).matches("\"[0-9a-f]+-d\"");
        assertThat(lastModified).endsWith(" GMT");
        assertThat(first.header("accept-ranges")).isEqualTo("bytes");

        RawHttpClient.Response byEtag = get("/a.txt", "If-None-Match: " + etag + "\r\n");
        assertThat(byEtag.status()).isEqualTo(304);
        assertThat(byEtag.body()).isEmpty();
        assertThat(byEtag.header("etag")).isEqualTo(etag);
        assertThat(get("/a.txt", "If-Modified-Since: " + lastModified + "\r\n").status()).isEqualTo(304);
        assertThat(get("/a.txt", "If-None-Match: \"other\"\r\n").status()).isEqualTo(200);
        assertThat(get("/a.txt", "If-Match: \"other\"\r\n").status()).isEqualTo(412);
    }

    @Test
    void singleRangesGive206AndBeyondTheEnd416() throws Exception {
        RawHttpClient.Response head = get("/a.txt", "Range: bytes=0-4\r\n");
        assertThat(head.status()).isEqualTo(206);
        assertThat(head.header("content-range")).isEqualTo("bytes 0-4/13");
        assertThat(head.header("content-length")).isEqualTo("5");
        assertThat(head.text()).isEqualTo("hello");
        RawHttpClient.Response tail = get("/a.txt", "Range: bytes=-7\r\n");
        assertThat(tail.status()).isEqualTo(206);
        assertThat(tail.text()).isEqualTo("static\n");
        RawHttpClient.Response open = get("/a.txt", "Range: bytes=6-\r\n");
        assertThat(open.header("content-range")).isEqualTo("bytes 6-12/13");
        assertThat(open.text()).isEqualTo("static\n");

        RawHttpClient.Response beyond = get("/a.txt", "Range: bytes=13-\r\n");
        assertThat(beyond.status()).isEqualTo(416);
        assertThat(beyond.header("content-range")).isEqualTo("bytes */13");
        assertThat(get("/empty.txt", "Range: bytes=0-\r\n").status()).as("an empty file is sent whole, as nginx")
                .isEqualTo(200);

        String etag = get("/a.txt").header("etag");
        assertThat(get("/a.txt", "Range: bytes=0-4\r\n", "If-Range: " + etag + "\r\n").status()).isEqualTo(206);
        RawHttpClient.Response stale = get("/a.txt", "Range: bytes=0-4\r\n", "If-Range: \"old\"\r\n");
        assertThat(stale.status()).as("If-Range mismatch sends the whole file").isEqualTo(200);
        assertThat(stale.text()).isEqualTo("hello static\n");
        assertThat(get("/a.txt", "Range: bytes=0-1,4-5\r\n").header("content-type")).as("several ranges: multipart")
                .startsWith("multipart/byteranges; boundary=");
    }

    @Test
    void rangesOfTheBigFileOverHttpAndHttps() throws Exception {
        RawHttpClient.Response plain = get("/big.bin", "Range: bytes=1000000-1000099\r\n");
        assertThat(plain.status()).isEqualTo(206);
        assertThat(plain.body()).isEqualTo(Arrays.copyOfRange(big, 1_000_000, 1_000_100));
        try (RawHttpClient raw = RawHttpClient.tls(tls, tlsPort)) {
            RawHttpClient.Response secure = raw.send("GET /big.bin HTTP/1.1\r\nHost: localhost\r\nRange: bytes=-100000\r\n\r\n").read();
            assertThat(secure.status()).isEqualTo(206);
            assertThat(secure.body()).isEqualTo(Arrays.copyOfRange(big, big.length - 100_000, big.length));
        }
    }

    @Test
    void headHasTheHeadersAndNoBody() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            RawHttpClient.Response r = raw.send("HEAD /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n").read(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-length")).isEqualTo(Integer.toString(big.length));
            RawHttpClient.Response next = raw.get("/a.txt");
            assertThat(next.text()).as("no body bytes were sent after HEAD").isEqualTo("hello static\n");
        }
    }

    @Test
    void indexFilesAndDirectoryRedirects() throws Exception {
        RawHttpClient.Response redirect = get("/dir?x=1");
        assertThat(redirect.status()).isEqualTo(301);
        assertThat(redirect.header("location")).isEqualTo("http://localhost:" + port + "/dir/?x=1");
        assertThat(get("/dir/").text()).isEqualTo("dir index");
        assertThat(get("/multi/").text()).as("the first index that exists").isEqualTo("second index");
        assertThat(get("/empty/").status()).as("a directory without an index").isEqualTo(403);
        assertThat(get("/var/?i=b").text()).as("variables in index").isEqualTo("second index");
        assertThat(get("/absolute/").text()).as("an absolute name is redirected to").isEqualTo("dir index");
        assertThat(get("/loop/").status()).as("an index redirecting to itself").isEqualTo(500);
        assertThat(get("/missing/").status()).isEqualTo(404);
        assertThat(get("/missing.txt").status()).isEqualTo(404);
        assertThat(get("/a.txt/").status()).isEqualTo(404);
    }

    @Test
    void aPostIsRefusedOnlyOnceTheFileIsFound() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            String post = "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n\r\nbody";
            assertThat(raw.send(post.formatted("/missing.txt")).read().status()).isEqualTo(404);
            assertThat(raw.send(post.formatted("/a.txt")).read().status()).isEqualTo(405);
            assertThat(raw.send(post.formatted("/dir")).read().status()).as("a directory still redirects").isEqualTo(301);
            assertThat(raw.get("/a.txt").text()).as("the bodies were read off the connection").isEqualTo("hello static\n");
        }
    }

    @Test
    void aliasAndRegexAliasAndSymlinks() throws Exception {
        assertThat(get("/files/ok.txt").text()).isEqualTo("aliased ok");
        assertThat(get("/files/sub/").text()).isEqualTo("aliased index");
        assertThat(get("/files/sub").header("location")).isEqualTo("http://localhost:" + port + "/files/sub/");
        RawHttpClient.Response png = get("/pics/a/x.png");
        assertThat(png.status()).isEqualTo(200);
        assertThat(png.header("content-type")).isEqualTo("image/png");
        assertThat(png.body()).containsExactly(0x89, 'P', 'N', 'G');
        assertThat(get("/link.txt").text()).as("symlinks are followed, as nginx by default").isEqualTo("through a symlink");
    }

    @Test
    void aFiveMebibyteFileIsByteExactOverHttpAndHttps() throws Exception {
        HttpResponse<byte[]> plain = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/big.bin")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(sha256(plain.body())).isEqualTo(sha256(big));
        HttpClient https = TestTls.httpClient(prefix.resolve("conf/site.crt"));
        HttpResponse<byte[]> secure = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + tlsPort + "/big.bin")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(secure.statusCode()).isEqualTo(200);
        assertThat(secure.body()).hasSize(big.length);
        assertThat(sha256(secure.body())).isEqualTo(sha256(big));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2e%2fsecret.txt",
        "/..%2fsecret.txt",
        "/files../secret.txt",
        "/files..%2fsecret.txt",
        "/files%2f..%2f..%2fsecret.txt",
        "//etc/passwd",
        "/%2f%2fetc/passwd",
        "/a.txt%00/../../secret.txt",
        "/%00../secret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/dir/../../secret.txt",
        "/%252e%252e/secret.txt",
        "/files/../../secret.txt",
        "/pics/..%2f..%2fsecret.png",
        "/pics/%2e%2e/%2e%2e/secret.png",
        "http://localhost/../secret.txt",
        "/./.././secret.txt",
    })
    void traversalNeverLeaksAFileOutsideTheRoot(String target) throws Exception {
        RawHttpClient.Response r;
        try (RawHttpClient raw = new RawHttpClient(port)) {
            r = raw.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
        }
        assertThat(r.text()).doesNotContain(SECRET).doesNotContain("root:x:0:0");
        assertThat(r.status()).isIn(400, 403, 404);
    }

    @Test
    void aTraversalNeverLeaksOverTlsEither() throws Exception {
        try (RawHttpClient raw = RawHttpClient.tls(tls, tlsPort)) {
            RawHttpClient.Response r = raw.send("GET /files../secret.txt HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
            assertThat(r.text()).doesNotContain(SECRET);
            assertThat(r.status()).isEqualTo(404);
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
