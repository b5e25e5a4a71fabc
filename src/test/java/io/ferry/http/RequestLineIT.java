package io.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The request line and Host as nginx's core reads them, over real sockets: the host normalized or
 * refused, fragments cut, merge_slashes, TRACE and CONNECT, Expect, and listen port ranges.
 */
@Timeout(60)
class RequestLineIT {
    @TempDir
    static Path prefix;
    @RegisterExtension
    static final Closer closer = new Closer();
    static int port;
    static int unmerged;
    static int rangeFirst;

    @BeforeAll
    static void start() throws Exception {
        port = FerryInstance.freePort();
        unmerged = FerryInstance.freePort();
        int second;
        do {
            rangeFirst = FerryInstance.freePort();
            second = FerryInstance.freePort();
        } while (second != rangeFirst + 1);
        closer.add(FerryInstance.start(prefix, """
                http {
                    connection_pool_size 256;
                    request_pool_size 4k;
                    server {
                        listen 127.0.0.1:%d;
                        location / { add_header X-URI "$uri"; add_header X-Args "$args"; return 200 $host; }
                        location /body { proxy_pass http://127.0.0.1:%d/; }
                    }
                    server {
                        listen 127.0.0.1:%d;
                        merge_slashes off;
                        location / { return 200 $uri; }
                    }
                    server {
                        listen 127.0.0.1:%d-%d;
                        location / { return 200 $server_port; }
                    }
                }
                """.formatted(port, port, unmerged, rangeFirst, second)));
    }

    private static RawHttpClient.Response send(int to, String request) throws Exception {
        try (RawHttpClient c = new RawHttpClient(to)) {
            return c.send(request).read();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "GET / HTTP/1.0\\r\\nHost: Example.COM.:88|example.com",
            "GET http://Abc.Example.:8/ HTTP/1.0\\r\\nHost: other|abc.example",
            "GET / HTTP/1.0\\r\\nHost: [::1]:80|[::1]"})
    void theHostIsLowerCaseWithoutPortOrTrailingDot(String head, String host) throws Exception {
        RawHttpClient.Response r = send(port, head.replace("\\r\\n", "\r\n") + "\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(host);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "GET / HTTP/1.0\\r\\nHost: a..b",
            "GET / HTTP/1.0\\r\\nHost: example.com.:1.2",
            "GET / HTTP/1.0\\r\\nHost: [::1].",
            "GET / HTTP/1.0\\r\\nHost: 1.2.3.4:98777",
            "GET http://a:9000:80/ HTTP/1.0\\r\\nHost: localhost",
            "GET http://x[::1]/ HTTP/1.0\\r\\nHost: localhost",
            "GET http://./ HTTP/1.0\\r\\nHost: localhost",
            "GET /\u0002 HTTP/1.0\\r\\nHost: localhost",
            "CONNECT / HTTP/1.1\\r\\nHost: localhost",
            "CONNECT localhost HTTP/1.1\\r\\nHost: localhost"})
    void badRequestLinesAndHostsAre400(String head) throws Exception {
        assertThat(send(port, head.replace("\\r\\n", "\r\n") + "\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void aFragmentIsCutFromUriAndArgs() throws Exception {
        RawHttpClient.Response r = send(port, "GET http://localhost/a/b/..?x=1#frag HTTP/1.0\r\n\r\n");
        assertThat(r.header("X-URI")).isEqualTo("/a/");
        assertThat(r.header("X-Args")).isEqualTo("x=1");
    }

    @Test
    void mergeSlashesOffKeepsEmptySegments() throws Exception {
        assertThat(send(unmerged, "GET /foo///../bar HTTP/1.0\r\n\r\n").text()).isEqualTo("/foo//bar");
        assertThat(send(port, "GET /foo///../bar HTTP/1.0\r\n\r\n").header("X-URI")).as("merged, \"..\" removes foo").isEqualTo("/bar");
    }

    @Test
    void traceAndConnectAreNotAllowed() throws Exception {
        assertThat(send(port, "TRACE / HTTP/1.1\r\nHost: localhost\r\n\r\n").status()).isEqualTo(405);
        assertThat(send(port, "CONNECT localhost:8080 HTTP/1.1\r\nHost: localhost\r\n\r\n").status()).isEqualTo(405);
    }

    @Test
    void continueIsSentWhenTheBodyIsReadEvenAnEmptyOne() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send("POST /body HTTP/1.1\r\nHost: localhost\r\nExpect: 100-Continue\r\nContent-Length: 0\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100);
            assertThat(c.read().status()).isEqualTo(200);
        }
    }

    @Test
    void anExpectationOtherThanContinueIs417() throws Exception {
        String request = "POST / HTTP/1.1\r\nHost: localhost\r\nExpect: token=param\r\nContent-Length: 0\r\n\r\n";
        assertThat(send(port, request).status()).isEqualTo(417);
        assertThat(send(port, request.replace("HTTP/1.1", "HTTP/1.0")).status())
                .as("an HTTP/1.0 client's Expect is ignored").isEqualTo(200);
    }

    @Test
    void aPortRangeListensOnEachPort() throws Exception {
        assertThat(send(rangeFirst, "GET / HTTP/1.0\r\n\r\n").text()).isEqualTo(String.valueOf(rangeFirst));
        assertThat(send(rangeFirst + 1, "GET / HTTP/1.0\r\n\r\n").text()).isEqualTo(String.valueOf(rangeFirst + 1));
    }

    @Test
    void returnTextIsTypedByTheUrisExtension() throws Exception {
        assertThat(send(port, "GET /page.html HTTP/1.0\r\n\r\n").header("Content-Type")).isEqualTo("text/html");
        assertThat(send(port, "GET /page HTTP/1.0\r\n\r\n").header("Content-Type")).isEqualTo("text/plain");
    }
}
