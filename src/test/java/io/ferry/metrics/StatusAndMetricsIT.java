package io.ferry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.demo.EchoBackend;
import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** stub_status in nginx's exact format, the Prometheus endpoint, and allow/deny protecting them. */
@Timeout(60)
class StatusAndMetricsIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    EchoBackend ws;
    FerryInstance ferry;
    int port;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void start() throws Exception {
        ws = closer.add(EchoBackend.start(new InetSocketAddress("127.0.0.1", 0)));
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    access_log off;
                    server {
                        listen 127.0.0.1:%d;
                        location = /basic_status { stub_status; }
                        location = /vars {
                            add_header X-Active $connections_active;
                            add_header X-Reading $connections_reading;
                            add_header X-Writing $connections_writing;
                            add_header X-Waiting $connections_waiting;
                            return 204;
                        }
                        location = /metrics { metrics; allow 127.0.0.1; deny all; }
                        location = /hidden { metrics; deny all; }
                        location /ws { proxy_pass http://127.0.0.1:%d; }
                        location / { return 200 "hello"; }
                    }
                }
                """.formatted(port, ws.port())));
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void stubStatusHasNginxsExactShapeAndCounts() throws Exception {
        String first = get("/basic_status").body();
        assertThat(first).matches("Active connections: \\d+ \nserver accepts handled requests\n \\d+ \\d+ \\d+ \n"
                + "Reading: \\d+ Writing: \\d+ Waiting: \\d+ \n");
        long before = requests(first);
        for (int i = 0; i < 5; i++) {
            get("/x");
        }
        String after = get("/basic_status").body();
        assertThat(requests(after)).isEqualTo(before + 6);
        assertThat(after).contains("Writing: 1 ");
    }

    private static long requests(String status) {
        Matcher m = Pattern.compile("\n (\\d+) (\\d+) (\\d+) \n").matcher(status);
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(3));
    }

    @Test
    void metricsCountRequestsAndFollowWebSockets() throws Exception {
        get("/a");
        get("/b");
        HttpResponse<String> m = get("/metrics");
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        double before = value(m.body(), "ferry_http_requests_total\\{location=\"/\",server=\"\",status=\"2xx\"}");
        assertThat(before).isGreaterThanOrEqualTo(2);
        assertThat(value(m.body(), "ferry_tunnels_active\\{kind=\"websocket\"}")).isZero();

        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() { })
                .get(10, TimeUnit.SECONDS);
        awaitValue("ferry_tunnels_active\\{kind=\"websocket\"}", 1);
        get("/c");
        assertThat(value(get("/metrics").body(), "ferry_http_requests_total\\{location=\"/\",server=\"\",status=\"2xx\"}"))
                .isEqualTo(before + 1);
        socket.sendClose(1000, "").get(10, TimeUnit.SECONDS);
        awaitValue("ferry_tunnels_active\\{kind=\"websocket\"}", 0);
        String body = get("/metrics").body();
        assertThat(body).contains("ferry_http_request_duration_seconds_bucket")
                .contains("ferry_upstream_peer_up{backup=\"false\",peer=\"127.0.0.1:" + ws.port() + "\"")
                .contains("ferry_connections_active{state=\"writing\"} 1");
        assertThat(value(body, "ferry_http_requests_total\\{location=\"/ws\",server=\"\",status=\"1xx\"}")).isEqualTo(1);
    }

    private void awaitValue(String series, double expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        double v;
        do {
            v = value(get("/metrics").body(), series);
            if (v == expected) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        assertThat(v).as(series).isEqualTo(expected);
    }

    private static double value(String exposition, String seriesRegex) {
        Matcher m = Pattern.compile("(?m)^" + seriesRegex + " (\\S+)$").matcher(exposition);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void denyAllAnswers403() throws Exception {
        assertThat(get("/hidden").statusCode()).isEqualTo(403);
        assertThat(get("/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void connectionVariablesCountTheServersConnectionsAsStubStatusDoes() throws Exception {
        try (io.ferry.testing.RawHttpClient idle = new io.ferry.testing.RawHttpClient(port);
             io.ferry.testing.RawHttpClient c = new io.ferry.testing.RawHttpClient(port)) {
            assertThat(idle.get("/").status()).isEqualTo(200);
            // the idle keep-alive connection waits; this one writes its answer
            io.ferry.testing.RawHttpClient.Response r = c.get("/vars");
            assertThat(r.header("X-Active")).isEqualTo("2");
            assertThat(r.header("X-Writing")).isEqualTo("1");
            assertThat(r.header("X-Reading")).isEqualTo("0");
            assertThat(r.header("X-Waiting")).isEqualTo("1");
        }
    }

    @Test
    void stubStatusAnswersOnlyGetAndHead() throws Exception {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/basic_status"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/basic_status"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
    }
}
