package io.ferry.http.v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.MemcachedServer;
import io.ferry.testing.PhpFpm;
import io.ferry.testing.TestTls;
import io.ferry.tls.SelfSignedCertificates;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of location answers over HTTP/2 as it does over HTTP/1.1: a browser-like client (the JDK's, which
 * takes h2 by ALPN) on the TLS port gets static files, return, rewrite, error_page, proxy (bodies both ways),
 * FastCGI, memcached, gzip and limit_req answers on HTTP/2 streams, logged as HTTP/2.0; the same port still serves
 * a client that offers only HTTP/1.1, and a server with http2 off does not offer h2.
 */
@Timeout(120)
class Http2LocationsIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;
    static int offPort;
    static HttpEchoBackend backend;
    static int memcachedPort;
    static HttpClient h2;
    static HttpClient h1;
    static byte[] big = new byte[3 * 1024 * 1024 + 17];

    @BeforeAll
    static void start() throws Exception {
        port = FerryInstance.freePort();
        offPort = FerryInstance.freePort();
        Path html = Files.createDirectories(prefix.resolve("html"));
        new Random(15).nextBytes(big);
        Files.write(html.resolve("big.bin"), big);
        Files.writeString(html.resolve("page.html"), "<p>" + "static page ".repeat(200) + "</p>");
        Files.writeString(html.resolve("err.html"), "custom not found");
        Files.writeString(html.resolve("hello.php"), "<?php echo 'php says ' . $_SERVER['SERVER_PROTOCOL'] . ' ' . file_get_contents('php://input');");
        Files.createDirectories(prefix.resolve("conf"));
        Files.copy(Path.of("conf/fastcgi_params"), prefix.resolve("conf/fastcgi_params"));
        SelfSignedCertificates.write(prefix.resolve("conf/h2.crt"), prefix.resolve("conf/h2.key"), List.of("localhost"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
        backend = closer.add(HttpEchoBackend.start());
        PhpFpm fpm = closer.add(PhpFpm.startTcp(Files.createDirectories(prefix.resolve("fpm"))));
        MemcachedServer memcached = closer.add(MemcachedServer.start());
        memcachedPort = memcached.port();
        memcached.set("/cached", 0, "from-memc".getBytes(StandardCharsets.US_ASCII));
        closer.add(FerryInstance.start(prefix, """
                http {
                    log_format proto '$server_protocol $request_method $uri $status';
                    access_log logs/h2.log proto;
                    limit_req_zone $binary_remote_addr zone=one:1m rate=1r/m;
                    server {
                        listen 127.0.0.1:%1$d ssl;
                        http2 on;
                        server_name localhost;
                        ssl_certificate h2.crt;
                        ssl_certificate_key h2.key;
                        root html;
                        client_max_body_size 8m;
                        error_page 404 /err.html;
                        location /return { return 200 "proto $server_protocol host $host"; }
                        location /old { rewrite ^/old/(.*)$ /return?from=$1 last; }
                        location /proxy/ { proxy_pass http://127.0.0.1:%3$d/; }
                        location ~ \\.php$ {
                            fastcgi_pass 127.0.0.1:%4$d;
                            include fastcgi_params;
                            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                        }
                        location /cached { set $memcached_key $uri; memcached_pass 127.0.0.1:%5$d; }
                        location /gz { gzip on; gzip_min_length 1; gzip_types text/html; alias html/page.html; default_type text/html; }
                        location /limited { limit_req zone=one; alias html/page.html; }
                    }
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        server_name localhost;
                        ssl_certificate h2.crt;
                        ssl_certificate_key h2.key;
                        location / { return 200 "proto $server_protocol"; }
                    }
                }
                """.formatted(port, offPort, backend.port(), fpm.port(), memcachedPort)));
        h2 = HttpClient.newBuilder().sslContext(TestTls.trusting(prefix.resolve("conf/h2.crt")))
                .version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(10)).build();
        h1 = TestTls.httpClient(prefix.resolve("conf/h2.crt"));
    }

    private static HttpResponse<byte[]> get(HttpClient client, int on, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + on + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void returnAndRewriteOverHttp2() throws Exception {
        HttpResponse<byte[]> r = get(h2, port, "/return");
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(text(r)).isEqualTo("proto HTTP/2.0 host localhost");
        HttpResponse<byte[]> rewritten = get(h2, port, "/old/x");
        assertThat(rewritten.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(text(rewritten)).isEqualTo("proto HTTP/2.0 host localhost");
    }

    @Test
    void staticFileArrivesWhole() throws Exception {
        HttpResponse<byte[]> r = get(h2, port, "/big.bin");
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValueAsLong("content-length")).hasValue(big.length);
        assertThat(sha(r.body())).isEqualTo(sha(big));
    }

    @Test
    void errorPageAnswersMissingFile() throws Exception {
        HttpResponse<byte[]> r = get(h2, port, "/missing");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(text(r)).isEqualTo("custom not found");
    }

    @Test
    void proxyCarriesBodiesBothWaysAsHttp11Upstream() throws Exception {
        byte[] body = new byte[700_000];
        new Random(2).nextBytes(body);
        HttpResponse<byte[]> r = h2.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/proxy/echo?a=1"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(text(r)).isEqualTo("POST /echo?a=1\nlength=" + body.length + " sha256=" + sha(body) + "\n");
        HttpEchoBackend.Recorded up = backend.last();
        assertThat(up.protocol()).isEqualTo("HTTP/1.0");
        assertThat(up.headers().get("Host")).isEqualTo("127.0.0.1:" + backend.port());
        assertThat(up.headers().names()).noneMatch(n -> n.startsWith(":") || n.startsWith("x-http2"));
    }

    @Test
    void fastCgiSeesHttp2() throws Exception {
        HttpResponse<byte[]> r = h2.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/hello.php"))
                .POST(HttpRequest.BodyPublishers.ofString("posted")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(text(r)).isEqualTo("php says HTTP/2.0 posted");
    }

    @Test
    void memcachedAnswers() throws Exception {
        HttpResponse<byte[]> r = get(h2, port, "/cached");
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(text(r)).isEqualTo("from-memc");
    }

    @Test
    void gzipFilterWorksOnStreams() throws Exception {
        HttpResponse<byte[]> r = h2.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/gz"))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.headers().firstValue("content-encoding")).hasValue("gzip");
        String page = new String(new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes(), StandardCharsets.UTF_8);
        assertThat(page).isEqualTo(Files.readString(prefix.resolve("html/page.html")));
    }

    @Test
    void limitReqRefusesTheSecondStream() throws Exception {
        assertThat(get(h2, port, "/limited").statusCode()).isEqualTo(200);
        assertThat(get(h2, port, "/limited").statusCode()).isEqualTo(503);
    }

    @Test
    void samePortServesHttp11AndLogsBoth() throws Exception {
        HttpResponse<byte[]> r = get(h1, port, "/return");
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(text(r)).isEqualTo("proto HTTP/1.1 host localhost");
        get(h2, port, "/return");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String log = "";
        while (System.nanoTime() < deadline && !(log.contains("HTTP/2.0 GET /return 200") && log.contains("HTTP/1.1 GET /return 200"))) {
            Thread.sleep(50);
            log = Files.readString(prefix.resolve("logs/h2.log"));
        }
        assertThat(log).contains("HTTP/2.0 GET /return 200").contains("HTTP/1.1 GET /return 200");
    }

    @Test
    void serverWithHttp2OffDoesNotOfferIt() throws Exception {
        HttpResponse<byte[]> r = get(h2, offPort, "/");
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(text(r)).isEqualTo("proto HTTP/1.1");
    }

    private static String sha(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
