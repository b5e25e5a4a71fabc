package io.ferry.module.authrequest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.RawHttpClient;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * auth_request on a real Ferry, with a JDK HTTP server as the authorization service behind an
 * internal location and an echo backend as the protected one: what each answer of the service
 * does to the client's request, auth_request_set feeding proxy_set_header, "off" in a nested
 * location, and satisfy any/all with allow/deny.
 */
@Timeout(60)
class AuthRequestIT {
    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static HttpEchoBackend backend;
    static HttpServer auth;
    static int port;
    /** What the authorization service saw: method, path and the client's X-Token. */
    static final List<String> asked = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        backend = HttpEchoBackend.start();
        auth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        auth.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            asked.add(exchange.getRequestMethod() + " " + path + " " + exchange.getRequestHeaders().getFirst("X-Token"));
            exchange.getRequestBody().readAllBytes();
            int status = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
            if (status == 200) {
                exchange.getResponseHeaders().add("X-User", "alice");
            }
            if (status == 401) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"ferry\"");
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer");
            }
            byte[] body = "not for the client".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        auth.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        auth.start();
        port = FerryInstance.freePort();
        String protectedPass = "proxy_pass http://127.0.0.1:" + backend.port() + ";";
        ferry = FerryInstance.start(prefix, """
                http {
                    access_log off;
                    server {
                        listen 127.0.0.1:%d;
                        server_name a;
                        location /allowed {
                            auth_request /auth/200;
                            auth_request_set $user $upstream_http_x_user;
                            auth_request_set $auth_status $upstream_status;
                            proxy_set_header X-Auth-User $user;
                            proxy_set_header X-Auth-Status $auth_status;
                            %s
                        }
                        location /unauthorized { auth_request /auth/401; %s }
                        location /forbidden { auth_request /auth/403; %s }
                        location /broken { auth_request /auth/404; %s }
                        location /local { auth_request /yes; %s }
                        location = /yes { internal; return 204; }
                        location /nested {
                            auth_request /auth/403;
                            location /nested/open { auth_request off; %s }
                            %s
                        }
                        location /any-allow { satisfy any; allow 127.0.0.1; deny all; auth_request /auth/403; %s }
                        location /any-auth { satisfy any; deny all; auth_request /auth/200; %s }
                        location /any-none { satisfy any; deny all; auth_request /auth/401; %s }
                        location /all-deny { deny all; auth_request /auth/200; %s }
                        location /auth/ {
                            internal;
                            # as nginx's documentation advises: the subrequest has no body, whatever the client said
                            proxy_set_header Content-Length "";
                            proxy_pass http://127.0.0.1:%d;
                        }
                    }
                }
                """.formatted(port, protectedPass, protectedPass, protectedPass, protectedPass, protectedPass,
                protectedPass, protectedPass, protectedPass, protectedPass, protectedPass, protectedPass,
                auth.getAddress().getPort()));
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
        if (auth != null) {
            auth.stop(0);
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static RawHttpClient.Response get(String uri) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.send("GET " + uri + " HTTP/1.1\r\nHost: a\r\nX-Token: t1\r\n\r\n").read();
        }
    }

    @Test
    void anAllowedRequestReachesTheProtectedLocationWithWhatTheServiceSaid() throws Exception {
        RawHttpClient.Response r = get("/allowed/page");
        assertThat(r.status()).isEqualTo(200);
        HttpEchoBackend.Recorded seen = backend.last();
        assertThat(seen.uri()).isEqualTo("/allowed/page");
        assertThat(seen.headers().get("X-Auth-User")).isEqualTo("alice");
        assertThat(seen.headers().get("X-Auth-Status")).isEqualTo("200");
        // the subrequest carries the client's headers and method; its body never reaches the client
        assertThat(asked).contains("GET /auth/200 t1");
        assertThat(r.text()).doesNotContain("not for the client");
    }

    @Test
    void aPostBodyThatArrivesWhileTheServiceDecidesIsProxiedWhole() throws Exception {
        String body = "x".repeat(5000);
        try (RawHttpClient c = new RawHttpClient(port)) {
            RawHttpClient.Response r = c.send("POST /allowed/post HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n" + body).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(c.get("/allowed/again").status()).isEqualTo(200);
        }
        HttpEchoBackend.Recorded post = backend.requests().stream().filter(q -> q.uri().equals("/allowed/post")).findFirst().orElseThrow();
        assertThat(post.bodyLength()).isEqualTo(5000);
    }

    @Test
    void a401PassesTheServicesChallengesToTheClient() throws Exception {
        RawHttpClient.Response r = get("/unauthorized");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.all("www-authenticate")).containsExactly("Basic realm=\"ferry\"", "Bearer");
        assertThat(r.text()).contains("<title>401 ");
    }

    @Test
    void a403RefusesAndAnyOtherStatusIsAServerError() throws Exception {
        assertThat(get("/forbidden").status()).isEqualTo(403);
        assertThat(get("/broken").status()).isEqualTo(500);
    }

    @Test
    void anInternalLocationAnswersTheSubrequestButNotTheClient() throws Exception {
        assertThat(get("/local").status()).isEqualTo(200);
        assertThat(get("/yes").status()).isEqualTo(404);
        assertThat(get("/auth/200").status()).isEqualTo(404);
    }

    @Test
    void offInANestedLocationLiftsTheCheck() throws Exception {
        assertThat(get("/nested/closed").status()).isEqualTo(403);
        assertThat(get("/nested/open").status()).isEqualTo(200);
    }

    @Test
    void satisfyAnyLetsEitherCheckAllowAndAllNeedsBoth() throws Exception {
        asked.clear();
        assertThat(get("/any-allow").status()).isEqualTo(200);
        // allow decided first: the service was not asked
        assertThat(asked).isEmpty();
        assertThat(get("/any-auth").status()).isEqualTo(200);
        assertThat(get("/any-none").status()).isEqualTo(401);
        assertThat(get("/all-deny").status()).isEqualTo(403);
    }
}
