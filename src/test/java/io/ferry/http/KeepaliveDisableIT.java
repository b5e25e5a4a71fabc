package io.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keepalive_disable over real sockets: which browsers lose keep-alive, and when; $connection_time. */
class KeepaliveDisableIT {
    private static final String MSIE6 = "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.0)";
    private static final String MSIE7 = "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)";
    private static final String SAFARI =
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15";
    private static final String CHROME =
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    @TempDir
    Path prefix;

    private FerryInstance start(int port) throws Exception {
        return FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%d;
                        location / { return 200 ok; }
                        location /safari { return 200 ok; keepalive_disable safari; }
                        location /none { return 200 ok; keepalive_disable none; }
                        location /time { return 200 $connection_requests:$connection_time; }
                    }
                }
                """.formatted(port));
    }

    /**
     * Sends one request and, when the response keeps the connection, a second one on the same
     * connection; returns the first response's Connection header, checked against what followed.
     */
    private static String connection(int port, String method, String target, String agent) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            RawHttpClient.Response r = c.send(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: " + agent
                    + "\r\nContent-Length: 0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            String connection = r.header("Connection");
            if (connection.equals("close")) {
                assertThat(c.closedByPeer()).as("closed after Connection: close").isTrue();
            } else {
                assertThat(c.get("/").status()).as("a second request on the kept connection").isEqualTo(200);
            }
            return connection;
        }
    }

    @Test
    void msie6LosesKeepAliveOnlyAfterAPostByDefault() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = start(port)) {
            assertThat(connection(port, "POST", "/", MSIE6)).isEqualTo("close");
            assertThat(connection(port, "GET", "/", MSIE6)).isEqualTo("keep-alive");
            assertThat(connection(port, "POST", "/", MSIE7)).isEqualTo("keep-alive");
            assertThat(connection(port, "GET", "/", SAFARI)).as("safari is not in the default").isEqualTo("keep-alive");
        }
    }

    @Test
    void safariLosesKeepAliveWhereNamed() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = start(port)) {
            assertThat(connection(port, "GET", "/safari", SAFARI)).isEqualTo("close");
            assertThat(connection(port, "GET", "/safari", CHROME)).isEqualTo("keep-alive");
            assertThat(connection(port, "POST", "/safari", MSIE6)).as("safari alone no longer names msie6").isEqualTo("keep-alive");
        }
    }

    @Test
    void noneKeepsEveryBrowser() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = start(port)) {
            assertThat(connection(port, "POST", "/none", MSIE6)).isEqualTo("keep-alive");
            assertThat(connection(port, "GET", "/none", SAFARI)).isEqualTo("keep-alive");
        }
    }

    @Test
    void connectionTimeCountsFromTheConnectionsStart() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = start(port); RawHttpClient c = new RawHttpClient(port)) {
            String first = c.get("/time").text();
            Thread.sleep(300);
            String second = c.get("/time").text();
            assertThat(first).matches("1:\\d+\\.\\d{3}");
            assertThat(second).matches("2:\\d+\\.\\d{3}");
            double elapsed = Double.parseDouble(second.substring(2)) - Double.parseDouble(first.substring(2));
            assertThat(elapsed).isGreaterThanOrEqualTo(0.299);
        }
    }
}
