package io.ferry.scgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** scgi_pass against an SCGI application on a real socket: the netstring, the body, the response forms and the directives. */
@Timeout(60)
class ScgiIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static ScgiTestServer app;
    static int port;
    static int dead;
    static final java.util.concurrent.atomic.AtomicInteger COUNT = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        app = closer.add(new ScgiTestServer(ScgiIT::answer));
        port = FerryInstance.freePort();
        dead = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                events { }
                http {
                    scgi_param REQUEST_URI $request_uri;
                    scgi_param REQUEST_METHOD $request_method;
                    scgi_cache_path %4$s keys_zone=scgi:1m;
                    upstream failover { server 127.0.0.1:%3$d; server 127.0.0.1:%2$d; }
                    server {
                        listen 127.0.0.1:%1$d;
                        location / { scgi_pass 127.0.0.1:%2$d; scgi_hide_header X-Secret; scgi_pass_header X-Accel-Charset; }
                        location /stream/ { scgi_pass 127.0.0.1:%2$d; scgi_request_buffering off; scgi_buffering off; }
                        location /nobody/ { scgi_pass 127.0.0.1:%2$d; scgi_pass_request_body off; scgi_pass_request_headers off; }
                        location /failover/ { scgi_pass failover; }
                        location /next/ { scgi_pass failover; scgi_next_upstream error http_503; }
                        location /intercept/ { scgi_pass 127.0.0.1:%2$d; scgi_intercept_errors on; error_page 404 =200 /page; }
                        location = /page { return 200 "error page\\n"; }
                        location /slow/ { scgi_pass 127.0.0.1:%2$d; scgi_read_timeout 300ms; }
                        location /var/ { scgi_pass $arg_to; }
                        location /cached/ { scgi_pass 127.0.0.1:%2$d; scgi_cache scgi; scgi_cache_key $uri; scgi_cache_valid 200 1m;
                                            add_header X-Cache $upstream_cache_status; }
                        location /bound/ { scgi_pass 127.0.0.1:%2$d; scgi_bind 127.0.0.2; }
                        location /boundvar/ { scgi_pass 127.0.0.1:%2$d; scgi_bind $arg_from; }
                        location /keepalive/ { scgi_pass 127.0.0.1:%2$d; scgi_socket_keepalive on; }
                    }
                }
                """.formatted(port, app.port(), dead, prefix.resolve("scgi-cache"))));
    }

    /** The application: the path picks the answer; most echo what the request carried. */
    private static String answer(ScgiTestServer.Request r) {
        String uri = r.uri();
        if (uri.startsWith("/status-line")) {
            return "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnot here";
        }
        if (uri.startsWith("/intercept/")) {
            return "Status: 404 Not Found\r\n\r\napplication's own 404";
        }
        if (uri.startsWith("/bound")) {
            return "Status: 200 OK\r\n\r\nfrom " + r.from();
        }
        if (uri.startsWith("/cached/")) {
            return "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nanswer " + COUNT.incrementAndGet();
        }
        if (uri.startsWith("/slow/") || uri.startsWith("/keepalive/")) {
            sleep(2000);
        }
        return "Status: 200 OK\r\nContent-Type: text/plain\r\nX-Secret: s\r\nX-Accel-Charset: utf-8\r\n\r\n"
                + "first=" + r.names().get(0) + " length=" + r.env().get("CONTENT_LENGTH")
                + " method=" + r.env().get("REQUEST_METHOD") + " foo=" + r.env().get("HTTP_X_FOO")
                + " body=" + r.text();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static RawHttpClient.Response send(String request) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.send(request).read();
        }
    }

    @Test
    void contentLengthComesFirstAndHeadersBecomeHttpVariables() throws Exception {
        RawHttpClient.Response r = send("GET /a HTTP/1.1\r\nHost: localhost\r\nX-Foo: one\r\nX-Foo: two\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("first=CONTENT_LENGTH length=0 method=GET foo=one, two body=");
        assertThat(r.header("X-Secret")).as("scgi_hide_header").isNull();
        assertThat(r.header("X-Accel-Charset")).as("scgi_pass_header").isEqualTo("utf-8");
    }

    @Test
    void aStatusLineGivesTheStatus() throws Exception {
        RawHttpClient.Response r = send("GET /status-line HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.text()).isEqualTo("not here");
    }

    @Test
    void theBodyFollowsWithItsLengthBufferedOrStreamed() throws Exception {
        assertThat(send("POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello").text())
                .isEqualTo("first=CONTENT_LENGTH length=5 method=POST foo=null body=hello");
        assertThat(send("POST /stream/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello").text())
                .isEqualTo("first=CONTENT_LENGTH length=5 method=POST foo=null body=hello");
        assertThat(send("POST /stream/ HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").text())
                .as("a chunked body is read whole for its length").endsWith("length=5 method=POST foo=null body=abcde");
    }

    @Test
    void passRequestBodyAndHeadersOff() throws Exception {
        assertThat(send("POST /nobody/ HTTP/1.1\r\nHost: localhost\r\nX-Foo: f\r\nContent-Length: 5\r\n\r\nhello").text())
                .isEqualTo("first=CONTENT_LENGTH length=0 method=POST foo=null body=");
    }

    @Test
    void nextUpstreamMovesPastADeadPeer() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(send("GET /failover/ HTTP/1.1\r\nHost: localhost\r\n\r\n").status()).isEqualTo(200);
        }
    }

    @Test
    void interceptErrorsHandsTheStatusToErrorPage() throws Exception {
        RawHttpClient.Response r = send("GET /intercept/x HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("error page\n");
    }

    @Test
    void aSlowApplicationTimesOut() throws Exception {
        assertThat(send("GET /slow/ HTTP/1.1\r\nHost: localhost\r\n\r\n").status()).isEqualTo(504);
    }

    @Test
    void bindSetsTheLocalAddressOfTheConnection() throws Exception {
        assertThat(send("GET /bound/ HTTP/1.1\r\nHost: localhost\r\n\r\n").text()).isEqualTo("from 127.0.0.2");
        assertThat(send("GET /boundvar/?from=127.0.0.3 HTTP/1.1\r\nHost: localhost\r\n\r\n").text()).isEqualTo("from 127.0.0.3");
        assertThat(send("GET /boundvar/ HTTP/1.1\r\nHost: localhost\r\n\r\n").text()).as("empty: not bound")
                .isEqualTo("from 127.0.0.1");
        assertThat(send("GET /boundvar/?from=nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n").status()).isEqualTo(502);
    }

    @Test
    void scgiCacheAnswersTheSecondRequest() throws Exception {
        RawHttpClient.Response first = send("GET /cached/a HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(first.header("X-Cache")).isEqualTo("MISS");
        RawHttpClient.Response second = send("GET /cached/a HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(second.header("X-Cache")).isEqualTo("HIT");
        assertThat(second.text()).isEqualTo(first.text());
    }

    /** Linux shows a socket's keepalive timer in /proc/net/tcp[6] ("tr" 2 on an idle established connection). */
    @Test
    void socketKeepaliveArmsTheKeepaliveTimer() throws Exception {
        Path tcp = Path.of("/proc/net/tcp");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(tcp), "no /proc/net/tcp: not Linux");
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send("GET /keepalive/ HTTP/1.1\r\nHost: localhost\r\n\r\n");
            String appPort = String.format(":%04X", app.port());
            boolean armed = false;
            for (int i = 0; i < 20 && !armed; i++) {
                Thread.sleep(50);
                List<String> lines = new ArrayList<>(java.nio.file.Files.readAllLines(tcp));
                Path tcp6 = Path.of("/proc/net/tcp6");
                if (java.nio.file.Files.isReadable(tcp6)) {
                    // the JDK's sockets are IPv6 ones, mapping 127.0.0.1
                    lines.addAll(java.nio.file.Files.readAllLines(tcp6));
                }
                for (String line : lines) {
                    String[] f = line.trim().split("\\s+");
                    // fields: sl, local, remote, state (01 established), queues, timer "tr:when"
                    if (f.length > 5 && f[2].endsWith(appPort) && f[3].equals("01") && f[5].startsWith("02:")) {
                        armed = true;
                    }
                }
            }
            assertThat(armed).as("Ferry's connection to the application has SO_KEEPALIVE").isTrue();
            assertThat(c.read().status()).isEqualTo(200);
        }
    }

    @Test
    void aPassWithVariablesFindsTheAddress() throws Exception {
        assertThat(send("GET /var/?to=127.0.0.1:" + app.port() + " HTTP/1.1\r\nHost: localhost\r\n\r\n").status())
                .isEqualTo(200);
    }
}
