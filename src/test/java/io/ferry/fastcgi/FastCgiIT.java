package io.ferry.fastcgi;

import io.ferry.testing.ErrorLogLines;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.PhpFpm;
import io.ferry.testing.RawHttpClient;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * fastcgi_pass against a real php-fpm (TCP and unix socket) started by the test, and against a
 * scripted FastCGI responder for keepalive and failover. The first location is the issue's block,
 * pasted verbatim with only the port changed.
 */
@Timeout(120)
class FastCgiIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    @TempDir
    static Path fpmDir;
    @TempDir
    static Path fpmUnixDir;
    static PhpFpm fpm;
    static PhpFpm fpmUnix;
    static FakeFastCgiServer fake;
    static FerryInstance ferry;
    static int port;
    static int refused;
    static List<String> errors;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        Path html = prefix.resolve("html");
        Files.createDirectories(html.resolve("app"));
        Files.writeString(html.resolve("index.php"), """
                <?php
                header('Content-Type: text/plain');
                foreach (['SCRIPT_FILENAME', 'SCRIPT_NAME', 'QUERY_STRING', 'REQUEST_METHOD', 'REMOTE_ADDR', 'HTTP_HOST',
                          'REQUEST_URI', 'DOCUMENT_ROOT', 'DOCUMENT_URI', 'SERVER_PROTOCOL', 'REQUEST_SCHEME',
                          'GATEWAY_INTERFACE', 'SERVER_PORT', 'SERVER_NAME', 'CONTENT_TYPE', 'CONTENT_LENGTH',
                          'HTTP_X_CUSTOM', 'HTTP_X_UNDER', 'HTTP_PROXY', 'HTTP_COOKIE', 'PATH_INFO', 'HTTPS', 'REDIRECT_STATUS'] as $k) {
                    echo $k, '=', isset($_SERVER[$k]) ? $_SERVER[$k] : '(unset)', "\\n";
                }
                echo 'GET=', json_encode($_GET), "\\n";
                """);
        Files.copy(html.resolve("index.php"), html.resolve("app/index.php"));
        Files.writeString(html.resolve("md5.php"), """
                <?php
                header('Content-Type: text/plain');
                $b = file_get_contents('php://input');
                echo strlen($b), ' ', md5($b);
                """);
        Files.writeString(html.resolve("big.php"), """
                <?php
                header('Content-Type: application/octet-stream');
                for ($i = 0; $i < 349525; $i++) { printf("%08d\\n", $i); }
                echo "xyz";
                """);
        Files.writeString(html.resolve("teapot.php"), """
                <?php
                http_response_code(418);
                setcookie('a', '1');
                setcookie('b', '2');
                echo "short and stout";
                """);
        Files.writeString(html.resolve("teapot.html"), "<p>intercepted</p>");
        Files.writeString(html.resolve("redirect.php"), "<?php header('Location: /elsewhere?x=1'); echo 'moved';");
        Files.writeString(html.resolve("stderr.php"), "<?php error_log('ferry stderr check'); echo 'logged';");
        Files.writeString(html.resolve("slow.php"), "<?php sleep(3); echo 'late';");
        Files.createDirectories(prefix.resolve("conf"));
        Files.copy(Path.of("conf/fastcgi_params"), prefix.resolve("conf/fastcgi_params"));
        Files.copy(Path.of("conf/fastcgi.conf"), prefix.resolve("conf/fastcgi.conf"));

        fpm = closer.add(PhpFpm.startTcp(fpmDir));
        fpmUnix = closer.add(PhpFpm.startUnix(fpmUnixDir));
        fake = closer.add(new FakeFastCgiServer(r -> new FakeFastCgiServer.Answer(
                r.params().get("REQUEST_URI").contains("catch") ? "a sample warning" : null,
                ("Content-Type: text/plain\r\n\r\nfake " + r.params().get("REQUEST_URI")).getBytes(StandardCharsets.ISO_8859_1))));
        port = FerryInstance.freePort();
        refused = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                events { worker_connections 1024; }
                http {
                    client_max_body_size 16m;
                    upstream php_pool {
                        server 127.0.0.1:%3$d;
                        keepalive 4;
                    }
                    upstream twice {
                        server 127.0.0.1:%3$d;
                        server 127.0.0.1:%3$d;
                    }
                    upstream failover {
                        server 127.0.0.1:%4$d;
                        server 127.0.0.1:%3$d;
                    }
                    server {
                        listen 127.0.0.1:%1$d;
                        server_name localhost;

                location ~ \\.php$ {
                   root html;
                   fastcgi_pass 127.0.0.1:%2$d;
                   fastcgi_index index.php;
                   fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                   include fastcgi_params;
                }

                        location / {
                            root html;
                            index index.php index.html;
                        }
                        location /app/ {
                            root html;
                            fastcgi_pass 127.0.0.1:%2$d;
                            fastcgi_index index.php;
                            include fastcgi.conf;
                        }
                        location ^~ /pi/ {
                            root html;
                            fastcgi_split_path_info ^/pi(/.+?\\.php)(/.*)$;
                            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                            fastcgi_param PATH_INFO $fastcgi_path_info;
                            include fastcgi_params;
                            fastcgi_pass 127.0.0.1:%2$d;
                        }
                        location ^~ /unix/ {
                            alias html/;
                            fastcgi_pass unix:%5$s;
                            fastcgi_param SCRIPT_FILENAME $request_filename;
                            include fastcgi_params;
                        }
                        location ^~ /intercepted/ {
                            root html;
                            fastcgi_intercept_errors on;
                            error_page 418 /teapot.html;
                            fastcgi_param SCRIPT_FILENAME $document_root/teapot.php;
                            include fastcgi_params;
                            fastcgi_pass 127.0.0.1:%2$d;
                        }
                        location ^~ /slow/ {
                            root html;
                            fastcgi_read_timeout 1s;
                            fastcgi_param SCRIPT_FILENAME $document_root/slow.php;
                            include fastcgi_params;
                            fastcgi_pass 127.0.0.1:%2$d;
                        }
                        location ^~ /keep/ {
                            fastcgi_pass php_pool;
                            fastcgi_keep_conn on;
                            include fastcgi_params;
                        }
                        location ^~ /nokeep/ {
                            fastcgi_pass 127.0.0.1:%3$d;
                            include fastcgi_params;
                        }
                        location ^~ /failover/ {
                            fastcgi_pass failover;
                            include fastcgi_params;
                        }
                        location ^~ /catch/ {
                            fastcgi_pass 127.0.0.1:%3$d;
                            fastcgi_catch_stderr other;
                            fastcgi_catch_stderr sample;
                            include fastcgi_params;
                        }
                        location ^~ /catchnext/ {
                            fastcgi_pass twice;
                            fastcgi_catch_stderr sample;
                            fastcgi_next_upstream invalid_header;
                            include fastcgi_params;
                        }
                        location ^~ /nocatch/ {
                            fastcgi_pass 127.0.0.1:%3$d;
                            fastcgi_catch_stderr elsewhere;
                            include fastcgi_params;
                        }
                        location ^~ /down/ {
                            fastcgi_pass 127.0.0.1:%4$d;
                        }
                    }
                }
                """.formatted(port, fpm.port(), fake.port(), refused, fpmUnix.socket())));
        errors = closer.add(ErrorLogLines.capture()).lines();
    }

    private static Map<String, String> lines(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Test
    void theIssuesBlockServesIndexPhpWithTheRightEnvironment() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            RawHttpClient.Response r = raw.send("GET /index.php?x=1 HTTP/1.1\r\nHost: example.test:" + port
                    + "\r\nX-Custom: hello\r\nX_Under: spoof\r\nProxy: http://evil\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n").read();
            assertThat(r.status()).as(fpm.log()).isEqualTo(200);
            assertThat(r.header("content-type")).startsWith("text/plain");
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            Map<String, String> env = lines(r.text());
            Path root = prefix.resolve("html");
            assertThat(env.get("SCRIPT_FILENAME")).isEqualTo(root + "/index.php");
            assertThat(env.get("SCRIPT_NAME")).isEqualTo("/index.php");
            assertThat(env.get("QUERY_STRING")).isEqualTo("x=1");
            assertThat(env.get("GET")).isEqualTo("{\"x\":\"1\"}");
            assertThat(env.get("REQUEST_METHOD")).isEqualTo("GET");
            assertThat(env.get("REMOTE_ADDR")).isEqualTo("127.0.0.1");
            assertThat(env.get("HTTP_HOST")).isEqualTo("example.test");
            assertThat(env.get("REQUEST_URI")).isEqualTo("/index.php?x=1");
            assertThat(env.get("DOCUMENT_ROOT")).isEqualTo(root.toString());
            assertThat(env.get("DOCUMENT_URI")).isEqualTo("/index.php");
            assertThat(env.get("SERVER_PROTOCOL")).isEqualTo("HTTP/1.1");
            assertThat(env.get("REQUEST_SCHEME")).isEqualTo("http");
            assertThat(env.get("GATEWAY_INTERFACE")).isEqualTo("CGI/1.1");
            assertThat(env.get("SERVER_PORT")).isEqualTo(Integer.toString(port));
            assertThat(env.get("SERVER_NAME")).isEqualTo("localhost");
            assertThat(env.get("HTTP_X_CUSTOM")).isEqualTo("hello");
            assertThat(env.get("HTTP_X_UNDER")).as("underscored header names are dropped, as nginx does").isEqualTo("(unset)");
            assertThat(env.get("HTTP_PROXY")).as("httpoxy").isEqualTo("(unset)");
            assertThat(env.get("HTTP_COOKIE")).isEqualTo("a=1; b=2");
            assertThat(env.get("HTTPS")).as("$https if_not_empty").isEqualTo("(unset)");
            assertThat(env.get("REDIRECT_STATUS")).isEqualTo("200");
            assertThat(env.get("CONTENT_LENGTH")).isEmpty();
        }
    }

    @Test
    void aTwoMebibytePostBodyArrivesWhole() throws Exception {
        byte[] body = new byte[2 * 1024 * 1024];
        new Random(42).nextBytes(body);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/md5.php"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
        assertThat(r.body()).isEqualTo(body.length + " " + md5);
    }

    @Test
    void aThreeMebibyteOutputArrivesWhole() throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/big.php")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        StringBuilder expected = new StringBuilder(3 * 1024 * 1024);
        for (int i = 0; i < 349525; i++) {
            expected.append(String.format("%08d\n", i));
        }
        expected.append("xyz");
        assertThat(r.body()).hasSize(3 * 1024 * 1024);
        assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
    }

    @Test
    void statusFromHttpResponseCodeAndTwoSetCookieHeadersComeThrough() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            RawHttpClient.Response r = raw.get("/teapot.php");
            assertThat(r.status()).isEqualTo(418);
            assertThat(r.statusLine()).contains("418");
            assertThat(r.all("set-cookie")).containsExactly("a=1", "b=2");
            assertThat(r.all("status")).isEmpty();
            assertThat(r.text()).isEqualTo("short and stout");
        }
    }

    @Test
    void interceptErrorsHandsTheStatusToErrorPage() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            RawHttpClient.Response r = raw.get("/intercepted/x");
            assertThat(r.status()).isEqualTo(418);
            assertThat(r.text()).isEqualTo("<p>intercepted</p>");
            assertThat(r.all("set-cookie")).as("nothing of the intercepted response").isEmpty();
            RawHttpClient.Response again = raw.get("/teapot.php");
            assertThat(again.text()).as("the connection stays usable").isEqualTo("short and stout");
        }
    }

    @Test
    void aRelativeLocationBecomesAnAbsoluteRedirect() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            RawHttpClient.Response r = raw.get("/redirect.php");
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.header("location")).isEqualTo("http://localhost/elsewhere?x=1");
        }
    }

    @Test
    void headGetsTheHeadersWithoutTheBody() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            RawHttpClient.Response r = raw.send("HEAD /teapot.php HTTP/1.1\r\nHost: localhost\r\n\r\n").read(true);
            assertThat(r.status()).isEqualTo(418);
            RawHttpClient.Response next = raw.get("/teapot.php");
            assertThat(next.text()).as("the connection stayed in step").isEqualTo("short and stout");
        }
    }

    @Test
    void stderrGoesToTheErrorLog() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/stderr.php")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("logged");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (errors.stream().noneMatch(l -> l.contains("ferry stderr check")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(errors).anySatisfy(l -> assertThat(l)
                .matches("\\*\\d+ FastCGI sent in stderr: \"PHP message: ferry stderr check\" while reading response header from upstream, .*")
                .contains("request: \"GET /stderr.php HTTP/1.1\"")
                .contains("upstream: \"fastcgi://127.0.0.1:" + fpm.port() + "\""));
    }

    @Test
    void aMissingScriptIsPhpFpmsOwn404() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/nothing-here.php")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("File not found.");
    }

    @Test
    void theSiteRootRunsIndexPhpThroughTheIndexDirective() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/?x=5")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, String> env = lines(r.body());
        assertThat(env.get("SCRIPT_NAME")).as("never the PHP source as a static file").isEqualTo("/index.php");
        assertThat(env.get("DOCUMENT_URI")).isEqualTo("/index.php");
        assertThat(env.get("REQUEST_URI")).isEqualTo("/?x=5");
        assertThat(env.get("GET")).isEqualTo("{\"x\":\"5\"}");
    }

    @Test
    void fastcgiIndexCompletesADirectoryUri() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/app/?y=2")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, String> env = lines(r.body());
        assertThat(env.get("SCRIPT_NAME")).isEqualTo("/app/index.php");
        assertThat(env.get("SCRIPT_FILENAME")).isEqualTo(prefix.resolve("html/app/index.php").toString());
        assertThat(env.get("GET")).isEqualTo("{\"y\":\"2\"}");
    }

    @Test
    void splitPathInfoGivesScriptNameAndPathInfo() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/pi/index.php/extra/path")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, String> env = lines(r.body());
        assertThat(env.get("SCRIPT_NAME")).isEqualTo("/index.php");
        assertThat(env.get("PATH_INFO")).isEqualTo("/extra/path");
        assertThat(env.get("SCRIPT_FILENAME")).isEqualTo(prefix.resolve("html/index.php").toString());
    }

    @Test
    void aUnixSocketAndAnAliasWork() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/unix/index.php?via=unix")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, String> env = lines(r.body());
        assertThat(env.get("SCRIPT_FILENAME")).isEqualTo(prefix.resolve("html").toString() + "/index.php");
        assertThat(env.get("GET")).isEqualTo("{\"via\":\"unix\"}");
    }

    @Test
    void aSlowScriptTimesOutWith504() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/slow/x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(504);
    }

    @Test
    void aRefusedConnectionIs502() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/down/x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(502);
    }

    @Test
    void keepConnReusesOnePooledConnection() throws Exception {
        int before = fake.connections.get();
        int seen = fake.requests.size();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/keep/" + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("fake /keep/" + i);
        }
        assertThat(fake.connections.get() - before).isEqualTo(1);
        assertThat(fake.requests.subList(seen, fake.requests.size())).allSatisfy(req -> assertThat(req.keepConn()).isTrue());
    }

    @Test
    void withoutKeepConnEachRequestHasItsOwnConnection() throws Exception {
        int before = fake.connections.get();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/nokeep/" + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("fake /nokeep/" + i);
        }
        assertThat(fake.connections.get() - before).isEqualTo(3);
    }

    @Test
    void nextUpstreamSkipsARefusingPeer() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/failover/" + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("fake /failover/" + i);
        }
    }

    @Test
    void stderrWithACaughtStringIsABadGateway() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/catch/x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(502);
        HttpResponse<String> other = client.send(HttpRequest.newBuilder(uri("/nocatch/catch")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.body()).isEqualTo("fake /nocatch/catch");
    }

    @Test
    void aCaughtStderrIsAnInvalidHeaderForNextUpstream() throws Exception {
        int seen = fake.requests.size();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/catchnext/x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(fake.requests.size() - seen).isEqualTo(2);
    }
}
