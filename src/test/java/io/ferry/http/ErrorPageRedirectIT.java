package io.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redirects and error_page as nginx combines them: a redirect is a special response error_page may
 * replace (its Location kept), a special response answers with its own status, headers an
 * intercepted 401 carried survive, error_page URIs hold variables, try_files tests directories
 * by a written trailing '/', and a proxied prefix location redirects its URI without the '/'.
 */
class ErrorPageRedirectIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        port = FerryInstance.freePort();
        int backend = FerryInstance.freePort();
        Path html = prefix.resolve("html");
        Files.createDirectories(html.resolve("directory"));
        Files.createDirectories(html.resolve("withindex"));
        Files.writeString(html.resolve("withindex/index.html"), "index");
        closer.add(FerryInstance.start(prefix, """
                events { }
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        root html;
                        location /e302text { error_page 302 /text; return 302 "first"; }
                        location /text { return 200 "text"; }
                        location /e404r405 { error_page 404 /r405; return 404; }
                        location /r405 { return 405; }
                        location /e405r302 { error_page 405 /r302; return 405; }
                        location /r302 { return 302 "http://example.com/second"; }
                        location /e302url { error_page 302 http://example.com/; return 302 "first"; }
                        location /e302var { error_page 302 /args?$arg_a; return 302 "first"; }
                        location /args { return 302 "http://example.com/$args"; }
                        location /addargs { rewrite ^ http://example.com/?c=d redirect; }
                        location /dirdir/ { try_files /directory/ =404; }
                        location / { try_files $uri $uri/ =404; }
                        location /auth {
                            proxy_pass http://127.0.0.1:%2$d;
                            proxy_intercept_errors on;
                            error_page 401 /intercepted;
                        }
                        location = /intercepted { return 200 "intercepted"; }
                        location /proxied/ { proxy_pass http://127.0.0.1:%2$d; }
                        location ~ proxied { return 200 "regex"; }
                        location /plain/ { return 200 "plain"; }
                        location /e302auto { error_page 302 /proxied; return 302 "first"; }
                    }
                    server {
                        listen 127.0.0.1:%2$d;
                        location / {
                            add_header WWW-Authenticate foo always;
                            add_header WWW-Authenticate bar always;
                            return 401;
                        }
                    }
                }
                """.formatted(port, backend)));
    }

    static RawHttpClient.Response get(String target) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.send("GET " + target + " HTTP/1.0\r\nHost: localhost\r\n\r\n").read();
        }
    }

    @Test
    void errorPageForARedirectsStatusKeepsItsLocation() throws Exception {
        RawHttpClient.Response r = get("/e302text");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("Location")).isEqualTo("first");
        assertThat(r.text()).isEqualTo("text");
    }

    @Test
    void aSpecialResponseAnswersWithItsOwnStatus() throws Exception {
        assertThat(get("/e404r405").status()).isEqualTo(405);
        RawHttpClient.Response r = get("/e405r302");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("Location")).isEqualTo("http://example.com/second");
    }

    @Test
    void aNewRedirectReplacesTheOldLocation() throws Exception {
        RawHttpClient.Response url = get("/e302url");
        assertThat(url.status()).isEqualTo(302);
        assertThat(url.all("Location")).containsExactly("http://example.com/");
        RawHttpClient.Response var = get("/e302var?a=2");
        assertThat(var.all("Location")).containsExactly("http://example.com/2");
    }

    @Test
    void aRedirectsOwnArgsComeBeforeTheRequests() throws Exception {
        assertThat(get("/addargs?a=b").header("Location")).isEqualTo("http://example.com/?c=d&a=b");
    }

    @Test
    void tryFilesTestsADirectoryByItsWrittenSlash() throws Exception {
        RawHttpClient.Response dir = get("/dirdir/");
        assertThat(dir.status()).isEqualTo(301);
        assertThat(dir.header("Location")).endsWith("/directory/");
        assertThat(get("/withindex").status()).isEqualTo(301);
        assertThat(get("/withindex/").text()).isEqualTo("index");
    }

    @Test
    void aProxiedPrefixIsAnAutoRedirectBeforeTheRegexes() throws Exception {
        RawHttpClient.Response r = get("/proxied?x=1");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.all("Location")).containsExactly("http://localhost:" + port + "/proxied/?x=1");
        assertThat(get("/plain").status()).as("no upstream, no auto redirect").isEqualTo(404);
        RawHttpClient.Response fromErrorPage = get("/e302auto");
        assertThat(fromErrorPage.status()).isEqualTo(301);
        assertThat(fromErrorPage.all("Location")).containsExactly("http://localhost:" + port + "/proxied/");
    }

    @Test
    void anInterceptedUnauthorizedKeepsItsChallenges() throws Exception {
        RawHttpClient.Response r = get("/auth");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.all("WWW-Authenticate")).containsExactly("foo", "bar");
        assertThat(r.text()).isEqualTo("intercepted");
    }
}
