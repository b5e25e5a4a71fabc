package io.ferry.proxy;

import io.ferry.testing.Closer;
import io.ferry.testing.RawHttpClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** HTTP reverse proxying end to end: real Ferry, real backend, real clients on 127.0.0.1. */
@Timeout(60)
class HttpProxyIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static HttpEchoBackend backend;
    static FerryInstance ferry;
    static int port;
    static int refusedPort;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        backend = closer.add(HttpEchoBackend.start());
        port = FerryInstance.freePort();
        refusedPort = FerryInstance.freePort();
        int b = backend.port();
        ferry = closer.add(FerryInstance.start(prefix, """
                events { worker_connections 1024; }
                http {
                    client_max_body_size 8m;
                    map $http_upgrade $connection_upgrade {
                        default upgrade;
                        ''      close;
                    }
                    server {
                        listen 127.0.0.1:%1$d;
                        server_name localhost;
                location /Tomcat
                    {
                         proxy_pass http://127.0.0.1:%2$d;
                         proxy_http_version 1.1;
                        proxy_set_header X-Real-IP $remote_addr;
                     }
                        location /mapped/ {
                            proxy_pass http://127.0.0.1:%2$d/;
                        }
                        location /idiom {
                            proxy_pass http://127.0.0.1:%2$d;
                            proxy_http_version 1.1;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection $connection_upgrade;
                        }
                        location /small {
                            client_max_body_size 10;
                            proxy_pass http://127.0.0.1:%2$d;
                        }
                        location /refused {
                            proxy_pass http://127.0.0.1:%3$d;
                        }
                        location = /exact { return 200 "exact $request_uri"; }
                    }
                }
                """.formatted(port, b, refusedPort)));
    }

    private static String get(String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    void tomcatLocationPassesTheUriUnchangedWithRealIpAndProxyHost() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            RawHttpClient.Response r = raw.send("GET /Tomcat/app?x=1&y=%20z HTTP/1.1\r\nHost: example.test\r\nX-Real-IP: 6.6.6.6\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).startsWith("GET /Tomcat/app?x=1&y=%20z\n");
        }
        HttpEchoBackend.Recorded rec = backend.last();
        assertThat(rec.uri()).isEqualTo("/Tomcat/app?x=1&y=%20z");
        assertThat(rec.protocol()).isEqualTo("HTTP/1.1");
        assertThat(rec.headers().getAll("X-Real-IP")).containsExactly("127.0.0.1");
        assertThat(rec.headers().getAll("Host")).containsExactly("127.0.0.1:" + backend.port());
    }

    @Test
    void proxyPassWithUriReplacesTheLocationPrefix() throws Exception {
        assertThat(get("/mapped/q?a=b")).startsWith("GET /q?a=b\n");
        assertThat(backend.last().uri()).isEqualTo("/q?a=b");
        assertThat(get("/mapped/dir/a%20b")).startsWith("GET /dir/a%20b\n");
    }

    @Test
    void defaultProxyVersionIsOneZeroWithConnectionClose() throws Exception {
        get("/mapped/v");
        HttpEchoBackend.Recorded rec = backend.last();
        assertThat(rec.protocol()).isEqualTo("HTTP/1.0");
        assertThat(rec.headers().get("Connection")).isEqualTo("close");
    }

    @Test
    void connectionUpgradeMapIdiomSendsCloseForPlainRequests() throws Exception {
        get("/idiom/plain");
        HttpEchoBackend.Recorded rec = backend.last();
        assertThat(rec.headers().get("Connection")).isEqualTo("close");
        assertThat(rec.headers().contains("Upgrade")).isFalse();
    }

    @Test
    void largeAndChunkedBodiesArriveIntact() throws Exception {
        byte[] body = new byte[3 * 1024 * 1024];
        new Random(42).nextBytes(body);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/Tomcat/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        HttpEchoBackend.Recorded rec = backend.last();
        assertThat(rec.bodyLength()).isEqualTo(body.length);
        assertThat(rec.bodySha256Hex()).isEqualTo(sha256(body));

        try (RawHttpClient raw = new RawHttpClient(port)) {
            raw.send("POST /Tomcat/chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(200);
        }
        rec = backend.last();
        // read whole first (proxy_request_buffering on), so it goes with its length
        assertThat(rec.chunked()).isFalse();
        assertThat(rec.headers().get("Content-Length")).isEqualTo("12");
        assertThat(rec.bodyLength()).isEqualTo(12);
        assertThat(rec.bodySha256Hex()).isEqualTo(sha256("hello, world".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBodyIsSent() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            raw.send("POST /Tomcat/expect HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawHttpClient.Response interim = raw.read();
            assertThat(interim.status()).isEqualTo(100);
            raw.send("hello");
            assertThat(raw.read().status()).isEqualTo(200);
        }
        assertThat(backend.last().headers().contains("Expect")).isFalse();
        assertThat(backend.last().bodyLength()).isEqualTo(5);
    }

    @Test
    void fiftyRequestsOnOneConnectionIncludingPipelined() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            for (int i = 0; i < 40; i++) {
                RawHttpClient.Response r = raw.send("GET /Tomcat/seq/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertThat(r.text()).startsWith("GET /Tomcat/seq/" + i + "\n");
                assertThat(r.header("Connection")).isEqualTo("keep-alive");
            }
            StringBuilder pipelined = new StringBuilder();
            for (int i = 40; i < 50; i++) {
                pipelined.append("GET /Tomcat/seq/").append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
            }
            raw.send(pipelined.toString());
            for (int i = 40; i < 50; i++) {
                assertThat(raw.read().text()).startsWith("GET /Tomcat/seq/" + i + "\n");
            }
        }
    }

    @Test
    void refusedUpstreamIsBadGateway() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            RawHttpClient.Response r = raw.send("GET /refused/x HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).contains("502 Bad Gateway");
            // the connection stays usable
            assertThat(raw.send("GET /exact HTTP/1.1\r\nHost: a\r\n\r\n").read().text()).isEqualTo("exact /exact");
        }
    }

    @Test
    void hopByHopHeadersAreStrippedBothWays() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            RawHttpClient.Response r = raw.send("GET /Tomcat/hop HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Client-Hop\r\n"
                    + "X-Client-Hop: secret\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\n"
                    + "Trailer: X-T\r\nUpgrade: h2c\r\nX-Reply-Hop: 1\r\nX-End: kept\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-Secret-Hop")).isNull();
            assertThat(r.header("Keep-Alive")).isNull();
            assertThat(r.header("Proxy-Connection")).isNull();
            assertThat(r.header("Upgrade")).isNull();
            assertThat(r.header("Trailer")).isNull();
            assertThat(r.header("X-End-To-End")).isEqualTo("yes");
            assertThat(r.header("Connection")).isEqualTo("keep-alive");
        }
        HttpEchoBackend.Recorded rec = backend.last();
        for (String h : new String[] {"X-Client-Hop", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade"}) {
            assertThat(rec.headers().contains(h)).as(h).isFalse();
        }
        assertThat(rec.headers().get("X-End")).isEqualTo("kept");
    }

    @Test
    void bodyOverClientMaxBodySizeIs413AndNotForwarded() throws Exception {
        int before = backend.requests().size();
        try (RawHttpClient raw = new RawHttpClient(port)) {
            RawHttpClient.Response r = raw.send("POST /small HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(413);
        }
        assertThat(backend.requests()).hasSize(before);
    }

    @Test
    void chunkedResponsesAndHeadAreRelayed() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            RawHttpClient.Response r = raw.send("GET /Tomcat/c HTTP/1.1\r\nHost: a\r\nX-Reply-Chunked: 1\r\n\r\n").read();
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.text()).startsWith("GET /Tomcat/c\n");
            RawHttpClient.Response head = raw.send("HEAD /Tomcat/h HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(raw.send("GET /exact HTTP/1.1\r\nHost: a\r\n\r\n").read().text()).isEqualTo("exact /exact");
        }
    }

    @Test
    void malformedRequestsGet400AndTheServerKeepsServing() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(port)) {
            assertThat(raw.send("GET /Tomcat/x HTTP/1.1\r\n\r\n").read().status()).isEqualTo(400);
        }
        try (RawHttpClient raw = new RawHttpClient(port)) {
            assertThat(raw.send("GET /../../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(400);
        }
        assertThat(get("/exact")).isEqualTo("exact /exact");
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
