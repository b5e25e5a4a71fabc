package io.ferry.uwsgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** uwsgi_pass against a real uWSGI server (Debian's uwsgi with its python3 plugin) running a small WSGI app. */
@Timeout(90)
class UwsgiIT {
    private static final String APP = """
            import time

            def application(env, start_response):
                path = env.get('PATH_INFO', '')
                if path.startswith('/intercept/'):
                    start_response('404 Not Found', [('Content-Type', 'text/plain')])
                    return [b'application 404']
                if path.startswith('/cached/'):
                    start_response('200 OK', [('Content-Type', 'text/plain')])
                    return [('at %r' % time.time()).encode()]
                if path.startswith('/slow/'):
                    time.sleep(2)
                body = env['wsgi.input'].read(int(env.get('CONTENT_LENGTH') or 0))
                text = 'method=%s foo=%s blah=%s body=%s' % (env.get('REQUEST_METHOD'), env.get('HTTP_X_FOO'),
                        env.get('HTTP_X_BLAH'), body.decode('latin-1'))
                start_response('200 OK', [('Content-Type', 'text/plain'), ('X-Secret', 's')])
                return [text.encode('latin-1')]
            """;

    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;
    static int appPort;

    @BeforeAll
    static void start() throws Exception {
        Path binary = Path.of("/usr/bin/uwsgi");
        assumeTrue(Files.isExecutable(binary), "uwsgi is not installed (bin/test installs Debian's uwsgi-core and "
                + "uwsgi-plugin-python3): the uwsgi_pass tests against a real uWSGI server are skipped");
        Path dir = Files.createDirectories(prefix.resolve("app"));
        Files.writeString(dir.resolve("app.py"), APP);
        appPort = FerryInstance.freePort();
        Process uwsgi = new ProcessBuilder(binary.toString(), "--master", "--die-on-term", "--workers", "4",
                "--plugin", "python3", "--socket", "127.0.0.1:" + appPort, "--wsgi-file", dir.resolve("app.py").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("uwsgi.log").toFile()).start();
        closer.add(() -> {
            uwsgi.destroy();
            if (!uwsgi.waitFor(10, TimeUnit.SECONDS)) {
                uwsgi.destroyForcibly();
            }
        });
        awaitListening(appPort, uwsgi, dir.resolve("uwsgi.log").toFile());
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                events { }
                http {
                    uwsgi_param REQUEST_METHOD $request_method;
                    uwsgi_param PATH_INFO $uri;
                    uwsgi_param CONTENT_LENGTH $content_length if_not_empty;
                    uwsgi_cache_path %3$s keys_zone=u:1m;
                    server {
                        listen 127.0.0.1:%1$d;
                        location / { uwsgi_pass uwsgi://127.0.0.1:%2$d; uwsgi_hide_header X-Secret; }
                        location /own/ {
                            uwsgi_pass 127.0.0.1:%2$d;
                            uwsgi_param REQUEST_METHOD $request_method;
                            uwsgi_param HTTP_X_BLAH blah;
                            uwsgi_pass_request_headers off;
                        }
                        location /intercept/ { uwsgi_pass 127.0.0.1:%2$d; uwsgi_param PATH_INFO $uri; uwsgi_intercept_errors on;
                                               error_page 404 =200 /page; }
                        location = /page { return 200 "error page\\n"; }
                        location /slow/ { uwsgi_pass 127.0.0.1:%2$d; uwsgi_param PATH_INFO $uri; uwsgi_read_timeout 300ms; }
                        location /var/ { uwsgi_pass $arg_to; }
                        location /cached/ { uwsgi_pass 127.0.0.1:%2$d; uwsgi_param PATH_INFO $uri; uwsgi_cache u;
                                            uwsgi_cache_key $uri; uwsgi_cache_valid 200 1m; add_header X-Cache $upstream_cache_status; }
                    }
                }
                """.formatted(port, appPort, prefix.resolve("uwsgi-cache"))));
    }

    private static void awaitListening(int port, Process process, File log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (java.io.IOException e) {
                if (!process.isAlive()) {
                    throw new AssertionError("uwsgi exited: " + Files.readString(log.toPath()));
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("uwsgi is not listening: " + Files.readString(log.toPath()));
    }

    private static RawHttpClient.Response send(String request) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.send(request).read(request.startsWith("HEAD"));
        }
    }

    @Test
    void paramsAndJoinedHeadersReachTheApplication() throws Exception {
        RawHttpClient.Response r = send("GET /a HTTP/1.1\r\nHost: localhost\r\nX-Foo: one\r\nX-Foo: two\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("method=GET foo=one, two blah=None body=");
        assertThat(r.header("X-Secret")).as("uwsgi_hide_header").isNull();
    }

    @Test
    void theBodyGoesWithItsLength() throws Exception {
        assertThat(send("POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello").text())
                .isEqualTo("method=POST foo=None blah=None body=hello");
    }

    @Test
    void aHeadGetsNoBody() throws Exception {
        RawHttpClient.Response r = send("HEAD /a HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void aLevelsOwnParamsAndNoRequestHeaders() throws Exception {
        assertThat(send("GET /own/ HTTP/1.1\r\nHost: localhost\r\nX-Foo: f\r\n\r\n").text())
                .isEqualTo("method=GET foo=None blah=blah body=");
    }

    @Test
    void interceptErrorsHandsTheStatusToErrorPage() throws Exception {
        RawHttpClient.Response r = send("GET /intercept/x HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("error page\n");
    }

    @Test
    void uwsgiCacheAnswersTheSecondRequest() throws Exception {
        RawHttpClient.Response first = send("GET /cached/a HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(first.header("X-Cache")).isEqualTo("MISS");
        RawHttpClient.Response second = send("GET /cached/a HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(second.header("X-Cache")).isEqualTo("HIT");
        assertThat(second.text()).isEqualTo(first.text());
    }

    @Test
    void aSlowApplicationTimesOut() throws Exception {
        assertThat(send("GET /slow/ HTTP/1.1\r\nHost: localhost\r\n\r\n").status()).isEqualTo(504);
    }

    @Test
    void aPassWithVariablesFindsTheAddress() throws Exception {
        assertThat(send("GET /var/?to=127.0.0.1:" + appPort + " HTTP/1.1\r\nHost: localhost\r\n\r\n").text())
                .isEqualTo("method=GET foo=None blah=None body=");
    }
}
