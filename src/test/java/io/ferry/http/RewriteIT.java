package io.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The rewrite module, error pages, try_files and response headers, as an nginx user writes them. */
@Timeout(60)
class RewriteIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static HttpEchoBackend backend;
    static FerryInstance ferry;
    static int port;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        backend = closer.add(HttpEchoBackend.start());
        port = FerryInstance.freePort();
        Path html = prefix.resolve("html");
        Files.createDirectories(html.resolve("new"));
        Files.writeString(html.resolve("new/page.html"), "new page");
        Files.writeString(html.resolve("fallback.html"), "fallback");
        Files.writeString(html.resolve("404.html"), "custom not found");
        Files.writeString(html.resolve("exists.txt"), "exists");
        Files.createDirectories(prefix.resolve("shared"));
        Files.writeString(prefix.resolve("shared/logo.txt"), "aliased");
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        server_name secure.test;
                        return 301 https://$host$request_uri;
                    }
                    server {
                        listen 127.0.0.1:%1$d default_server;
                        server_name localhost;
                        root html;
                        error_page 404 /404.html;
                        add_header X-Always yes always;

                        location /api/ {
                            if ($request_method = OPTIONS) {
                                add_header Access-Control-Allow-Origin "$http_origin";
                                add_header Access-Control-Allow-Methods "GET, POST, OPTIONS";
                                add_header Access-Control-Max-Age 1728000;
                                return 204;
                            }
                            add_header Access-Control-Allow-Origin "$http_origin" always;
                            proxy_pass http://127.0.0.1:%2$d;
                        }
                        location /old/ {
                            rewrite ^/old/(.*)$ /new/$1 permanent;
                        }
                        location /moved/ {
                            rewrite ^/moved/(.*)$ /new/$1 last;
                        }
                        location /spa/ {
                            try_files $uri /fallback.html;
                        }
                        location /strict/ {
                            try_files $uri =404;
                        }
                        location /named/ {
                            try_files $uri @backend;
                        }
                        location /brkflag/ {
                            rewrite ^/brkflag/(.*)$ /changed/$1 break;
                            proxy_pass http://127.0.0.1:%2$d/up/;
                        }
                        location /brkdirective/ {
                            rewrite ^ /changed2;
                            break;
                            proxy_pass http://127.0.0.1:%2$d/up/;
                        }
                        location /unchanged/ {
                            proxy_pass http://127.0.0.1:%2$d/up/;
                        }
                        location @backend {
                            proxy_pass http://127.0.0.1:%2$d;
                        }
                        location /static/ {
                            alias shared/;
                            expires 1h;
                        }
                        location = /private { internal; return 200 "secret"; }
                        location /argcap/ {
                            rewrite ^(.*) $1?c=$1;
                            return 200 "uri:$uri args:$args";
                        }
                        location ~ ^/tried-alias/ {
                            alias shared;
                            try_files $uri =404;
                        }
                        location /flags/ {
                            set $mode "guest";
                            if ($arg_admin) {
                                set $mode "admin";
                            }
                            if (-f $document_root/exists.txt) {
                                add_header X-File yes;
                            }
                            return 200 "mode=$mode";
                        }
                        location /empty/ {
                            set $who $arg_who;
                            if ($arg_who = "") {
                                set $who "nobody";
                            }
                            return 200 "who=$who";
                        }
                        location /teapot/ {
                            proxy_pass http://127.0.0.1:%2$d;
                            proxy_set_header X-Reply-Status 418;
                            proxy_intercept_errors on;
                            error_page 418 =200 /fallback.html;
                        }
                        location /loop/ {
                            proxy_pass http://127.0.0.1:%2$d;
                            proxy_set_header X-Reply-Status 404;
                            proxy_intercept_errors on;
                            error_page 404 /loop/again;
                        }
                        location /hidden/ {
                            proxy_pass http://127.0.0.1:%2$d;
                            proxy_hide_header X-End-To-End;
                            proxy_set_header X-Reply-Hop 1;
                        }
                    }
                }
                """.formatted(port, backend.port())));
    }

    static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void corsPreflightIsAnsweredByIfAndReturnWithItsHeaders() throws Exception {
        int before = backend.requests().size();
        HttpResponse<String> r = send("OPTIONS", "/api/items", "Origin", "https://app.test");
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.test");
        assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET, POST, OPTIONS");
        assertThat(r.headers().firstValue("Access-Control-Max-Age")).hasValue("1728000");
        assertThat(backend.requests()).hasSize(before);

        HttpResponse<String> get = send("GET", "/api/items", "Origin", "https://app.test");
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.test");
        HttpResponse<String> error = send("GET", "/api/items", "Origin", "https://app.test", "X-Reply-Status", "500");
        assertThat(error.statusCode()).isEqualTo(500);
        assertThat(error.headers().firstValue("Access-Control-Allow-Origin")).as("always").hasValue("https://app.test");
    }

    @Test
    void errorPageServesTheCustomPageWithTheOriginalStatus() throws Exception {
        HttpResponse<String> r = send("GET", "/no/such/file");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("custom not found");
        assertThat(r.headers().firstValue("X-Always")).as("add_header ... always on the error page").hasValue("yes");
    }

    @Test
    void returnRedirectUsesHostAndRequestUri() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /path?q=1 HTTP/1.1\r\nHost: secure.test\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 301 Moved Permanently\r\n");
            assertThat(response).contains("\r\nLocation: https://secure.test/path?q=1\r\n");
        }
    }

    @Test
    void rewritePermanentAndLast() throws Exception {
        HttpResponse<String> r = send("GET", "/old/page.html?x=1");
        assertThat(r.statusCode()).isEqualTo(301);
        assertThat(r.headers().firstValue("Location")).hasValue("http://127.0.0.1:" + port + "/new/page.html?x=1");
        HttpResponse<String> internal = send("GET", "/moved/page.html");
        assertThat(internal.statusCode()).isEqualTo(200);
        assertThat(internal.body()).isEqualTo("new page");
    }

    @Test
    void tryFilesFallsBackAsNginx() throws Exception {
        assertThat(send("GET", "/spa/route/deep").body()).isEqualTo("fallback");
        HttpResponse<String> strict = send("GET", "/strict/none");
        assertThat(strict.statusCode()).isEqualTo(404);
        assertThat(strict.body()).isEqualTo("custom not found");
        HttpResponse<String> named = send("GET", "/named/x?y=2");
        assertThat(named.statusCode()).isEqualTo(200);
        assertThat(backend.last().uri()).isEqualTo("/named/x?y=2");
    }

    @Test
    void aUriChangedByRewriteWithBreakGoesWholeToAProxyPassWithAUri() throws Exception {
        send("GET", "/brkflag/x?y=1");
        assertThat(backend.last().uri()).isEqualTo("/changed/x?y=1");
        send("GET", "/brkdirective/x");
        assertThat(backend.last().uri()).isEqualTo("/changed2");
        send("GET", "/unchanged/x");
        assertThat(backend.last().uri()).isEqualTo("/up/x");
    }

    @Test
    void aliasAndExpires() throws Exception {
        HttpResponse<String> r = send("GET", "/static/logo.txt");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("aliased");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("max-age=3600");
        assertThat(r.headers().firstValue("Expires")).isPresent();
    }

    @Test
    void aCaptureInTheNewArgumentsIsEscapedAgainForAnEncodedUri() throws Exception {
        assertThat(send("GET", "/argcap/%25?a=b").body()).isEqualTo("uri:/argcap/% args:c=/argcap/%25&a=b");
        assertThat(send("GET", "/argcap/x?a=b").body()).isEqualTo("uri:/argcap/x args:c=/argcap/x&a=b");
    }

    @Test
    void tryFilesLooksUnderTheAliasOfARegexLocation() throws Exception {
        Files.createDirectories(prefix.resolve("shared/tried-alias"));
        Files.writeString(prefix.resolve("shared/tried-alias/page.txt"), "tried");
        HttpResponse<String> r = send("GET", "/tried-alias/page.txt");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("tried");
        assertThat(send("GET", "/tried-alias/missing.txt").statusCode()).isEqualTo(404);
    }

    @Test
    void internalLocationIsNotReachableFromOutside() throws Exception {
        assertThat(send("GET", "/private").statusCode()).isEqualTo(404);
    }

    @Test
    void setAndIfConditions() throws Exception {
        assertThat(send("GET", "/flags/").body()).isEqualTo("mode=guest");
        HttpResponse<String> admin = send("GET", "/flags/?admin=1");
        assertThat(admin.body()).isEqualTo("mode=admin");
        assertThat(admin.headers().firstValue("X-File")).hasValue("yes");
    }

    @Test
    void anEmptyQuotedStringIsAnOperand() throws Exception {
        assertThat(send("GET", "/empty/").body()).isEqualTo("who=nobody");
        assertThat(send("GET", "/empty/?who=ann").body()).isEqualTo("who=ann");
    }

    @Test
    void interceptedUpstreamErrorGoesToErrorPage() throws Exception {
        HttpResponse<String> r = send("GET", "/teapot/x");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("fallback");
    }

    @Test
    void anInterceptedErrorAfterTheErrorPageWasUsedGetsFerrysOwnPage() throws Exception {
        HttpResponse<String> r = send("GET", "/loop/x");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("404 Not Found");
    }

    @Test
    void proxyHideHeaderRemovesItFromTheResponse() throws Exception {
        HttpResponse<String> r = send("GET", "/hidden/x");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-End-To-End")).isEmpty();
    }
}
