package io.ferry.memcached;

import io.ferry.testing.MemcachedServer;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** memcached_pass against a real memcached process: hits, misses, gzip flag, streaming, errors, fallback. */
@Timeout(60)
class MemcachedIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    static MemcachedServer memcached;
    @TempDir
    Path prefix;
    FerryInstance ferry;
    HttpEchoBackend backend;
    int port;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startMemcached() throws Exception {
        memcached = closer.add(MemcachedServer.start());
    }

    void start(String http) throws Exception {
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, "http {\n" + http.replace("PORT", Integer.toString(port))
                .replace("MEMCACHED", "127.0.0.1:" + memcached.port()) + "\n}\n"));
    }

    HttpResponse<byte[]> send(String method, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> get(String path) throws Exception {
        return send("GET", path);
    }

    static final String PLAIN = """
            types { text/html html; }
            default_type application/octet-stream;
            server {
                listen 127.0.0.1:PORT;
                location / { memcached_pass MEMCACHED; memcached_gzip_flag 2; }
            }
            """;

    @Test
    void hitReturnsTheValueWithTheTypeOfItsExtensionOrDefaultType() throws Exception {
        memcached.set("/hit.html", 0, "<h1>cached</h1>".getBytes(StandardCharsets.UTF_8));
        memcached.set("/blob", 0, new byte[] {0, 1, 2, (byte) 0xff});
        start(PLAIN);
        HttpResponse<byte[]> html = get("/hit.html");
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(new String(html.body(), StandardCharsets.UTF_8)).isEqualTo("<h1>cached</h1>");
        assertThat(html.headers().firstValue("content-type")).hasValue("text/html");
        assertThat(html.headers().firstValue("content-length")).hasValue("15");
        assertThat(html.headers().firstValue("content-encoding")).isEmpty();

        HttpResponse<byte[]> blob = get("/blob");
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(blob.body()).containsExactly(0, 1, 2, 0xff);
        assertThat(blob.headers().firstValue("content-type")).hasValue("application/octet-stream");
    }

    @Test
    void missIs404AndAMethodOtherThanGetOrHeadIs405() throws Exception {
        start(PLAIN);
        assertThat(get("/nothing-stored-here").statusCode()).isEqualTo(404);
        assertThat(send("POST", "/nothing-stored-here").statusCode()).isEqualTo(405);
    }

    @Test
    void gzipFlagSetsContentEncodingAndTheBytesPassUntouched() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write("compressed body".getBytes(StandardCharsets.UTF_8));
        }
        memcached.set("/gz.txt", 3, gz.toByteArray());
        start(PLAIN);
        HttpResponse<byte[]> res = get("/gz.txt");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(res.body()).isEqualTo(gz.toByteArray());
    }

    @Test
    void largeValueStreamsByteExactAndHeadHasNoBody() throws Exception {
        byte[] big = new byte[900 * 1024];
        new Random(42).nextBytes(big);
        memcached.set("/big", 0, big);
        start(PLAIN);
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> res = get("/big");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).isEqualTo(big);
        }
        HttpResponse<byte[]> head = send("HEAD", "/big");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("content-length")).hasValue(Integer.toString(big.length));
        assertThat(head.body()).isEmpty();
    }

    @Test
    void memcachedPassInsideIf() throws Exception {
        memcached.set("/c/page", 0, "from if".getBytes(StandardCharsets.UTF_8));
        start("""
                server {
                    listen 127.0.0.1:PORT;
                    location /c/ { if ($arg_cache) { memcached_pass MEMCACHED; } }
                }
                """);
        assertThat(new String(get("/c/page?cache=1").body(), StandardCharsets.UTF_8)).isEqualTo("from if");
        // Without the argument the location's own handler (static files, none here) answers.
        assertThat(get("/c/page").statusCode()).isEqualTo(404);
    }

    @Test
    void memcachedDownIs502() throws Exception {
        int dead = FerryInstance.freePort();
        start("""
                server {
                    listen 127.0.0.1:PORT;
                    location / { memcached_pass 127.0.0.1:%d; }
                }
                """.formatted(dead));
        assertThat(get("/anything").statusCode()).isEqualTo(502);
    }

    @Test
    void keyFromSetMemcachedKeyWithArgsThroughAnUpstreamGroupWithKeepalive() throws Exception {
        memcached.set("/k/page?lang=en", 0, "english".getBytes(StandardCharsets.UTF_8));
        memcached.set("/k/page?lang=fr", 0, "français".getBytes(StandardCharsets.UTF_8));
        start("""
                upstream mc { server MEMCACHED; keepalive 4; }
                server {
                    listen 127.0.0.1:PORT;
                    location /k/ { set $memcached_key "$uri?$args"; memcached_pass mc; default_type text/plain; }
                    location /unset/ { memcached_pass mc; }
                }
                """);
        for (int i = 0; i < 5; i++) {
            assertThat(new String(get("/k/page?lang=en").body(), StandardCharsets.UTF_8)).isEqualTo("english");
            assertThat(new String(get("/k/page?lang=fr").body(), StandardCharsets.UTF_8)).isEqualTo("français");
        }
        assertThat(get("/k/page?lang=de").statusCode()).isEqualTo(404);
        // $memcached_key is a configured variable, but this location never sets it: nginx's 500.
        assertThat(get("/unset/x").statusCode()).isEqualTo(500);
    }

    @Test
    void missAndDownFallBackThroughErrorPage() throws Exception {
        memcached.set("/fb/cached", 0, "from cache".getBytes(StandardCharsets.UTF_8));
        backend = closer.add(HttpEchoBackend.start());
        int dead = FerryInstance.freePort();
        start("""
                server {
                    listen 127.0.0.1:PORT;
                    location /fb/ { memcached_pass MEMCACHED; error_page 404 502 504 = @fallback; }
                    location /down/ { memcached_pass 127.0.0.1:%d; error_page 404 502 504 = @fallback; }
                    location @fallback { proxy_pass http://127.0.0.1:%d; }
                }
                """.formatted(dead, backend.port()));
        assertThat(new String(get("/fb/cached").body(), StandardCharsets.UTF_8)).isEqualTo("from cache");
        assertThat(backend.requests()).isEmpty();
        HttpResponse<byte[]> miss = get("/fb/not-cached");
        assertThat(miss.statusCode()).isEqualTo(200);
        assertThat(backend.last().uri()).isEqualTo("/fb/not-cached");
        HttpResponse<byte[]> down = get("/down/x");
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(backend.last().uri()).isEqualTo("/down/x");
    }
}
