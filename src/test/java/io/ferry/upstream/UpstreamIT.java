package io.ferry.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.ferry.demo.EchoBackend;
import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Upstream groups end to end: balancing, passive health, retries, keepalive, timeouts. */
@Timeout(60)
class UpstreamIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    FerryInstance ferry;
    int port;
    final ErrorLogLines errors = closer.add(ErrorLogLines.capture());

    HttpEchoBackend backend() throws InterruptedException {
        return closer.add(HttpEchoBackend.start());
    }

    void start(String http) throws Exception {
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, "http {\n" + http.replace("PORT", Integer.toString(port)) + "\n}\n"));
    }

    HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString("payload")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    long errorLines(String fragment) {
        return errors.count(fragment);
    }

    @Test
    void weightsThreeToOneGiveThirtyTenAndDownGetsNothing() throws Exception {
        HttpEchoBackend a = backend();
        HttpEchoBackend b = backend();
        HttpEchoBackend c = backend();
        start("""
                upstream app {
                    server 127.0.0.1:%d weight=3;
                    server 127.0.0.1:%d;
                    server 127.0.0.1:%d down;
                }
                server { listen 127.0.0.1:PORT; location / { proxy_pass http://app; } }
                """.formatted(a.port(), b.port(), c.port()));
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            int before = a.requests().size();
            assertThat(get("/r" + i).statusCode()).isEqualTo(200);
            order.append(a.requests().size() > before ? 'a' : 'b');
        }
        assertThat(a.requests()).hasSize(30);
        assertThat(b.requests()).hasSize(10);
        assertThat(c.requests()).isEmpty();
        assertThat(order.toString()).isEqualTo("aaba".repeat(10));
        assertThat(a.last().headers().get("Host")).isEqualTo("app");
    }

    @Test
    void upstreamAddrNamesTheGroupWhenNoPeerIsLeft() throws Exception {
        int dead = FerryInstance.freePort();
        HttpEchoBackend spare = backend();
        start("""
                upstream gone { server 127.0.0.1:%1$d; server 127.0.0.1:%2$d down; }
                upstream off { server 127.0.0.1:%2$d down; }
                upstream tried { server 127.0.0.1:%1$d max_fails=0; server 127.0.0.1:%1$d max_fails=0; }
                server {
                    listen 127.0.0.1:PORT;
                    add_header X-IP $upstream_addr always;
                    location /gone { proxy_pass http://gone; }
                    location /tried { proxy_pass http://tried; }
                    location /off { proxy_pass http://off; }
                }
                """.formatted(dead, spare.port()));
        HttpResponse<String> r = get("/gone");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.headers().firstValue("X-IP")).hasValue("127.0.0.1:" + dead + ", gone");
        assertThat(get("/off").headers().firstValue("X-IP")).hasValue("off");
        // every peer had its try: nothing was left unpicked, so no group name
        assertThat(get("/tried").headers().firstValue("X-IP")).hasValue("127.0.0.1:" + dead + ", 127.0.0.1:" + dead);
        assertThat(spare.requests()).isEmpty();
    }

    @Test
    void ipHashKeepsOneClientOnOneServer() throws Exception {
        HttpEchoBackend a = backend();
        HttpEchoBackend b = backend();
        HttpEchoBackend c = backend();
        start("""
                upstream app { ip_hash; server 127.0.0.1:%d; server 127.0.0.1:%d; server 127.0.0.1:%d; }
                server { listen 127.0.0.1:PORT; location / { proxy_pass http://app; } }
                """.formatted(a.port(), b.port(), c.port()));
        for (int i = 0; i < 12; i++) {
            get("/ip" + i);
        }
        List<Integer> counts = List.of(a.requests().size(), b.requests().size(), c.requests().size());
        assertThat(counts).containsExactlyInAnyOrder(12, 0, 0);
    }

    @Test
    void consistentHashIsStableAndMovesOnlyTheRemovedServersKeys() throws Exception {
        HttpEchoBackend[] servers = {backend(), backend(), backend()};
        String conf = """
                upstream app { hash $arg_user consistent; %s }
                server { listen 127.0.0.1:PORT; location / { proxy_pass http://app; } }
                """;
        StringBuilder all = new StringBuilder();
        for (HttpEchoBackend s : servers) {
            all.append("server 127.0.0.1:").append(s.port()).append("; ");
        }
        start(conf.formatted(all));
        Map<String, Integer> before = placeUsers(servers);
        assertThat(placeUsers(servers)).isEqualTo(before);
        assertThat(before.values().stream().distinct().count()).isGreaterThanOrEqualTo(2);

        ferry.close();
        start(conf.formatted("server 127.0.0.1:" + servers[0].port() + "; server 127.0.0.1:" + servers[1].port() + ";"));
        Map<String, Integer> after = placeUsers(servers);
        int moved = 0;
        for (Map.Entry<String, Integer> e : before.entrySet()) {
            if (e.getValue() != 2) {
                assertThat(after.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            } else {
                moved++;
            }
        }
        assertThat(moved).isBetween(3, 20);
    }

    private Map<String, Integer> placeUsers(HttpEchoBackend[] servers) throws Exception {
        Map<String, Integer> placed = new HashMap<>();
        for (int u = 0; u < 30; u++) {
            String user = "user" + u;
            int[] before = new int[servers.length];
            for (int i = 0; i < servers.length; i++) {
                before[i] = servers[i].requests().size();
            }
            assertThat(get("/?user=" + user).statusCode()).isEqualTo(200);
            for (int i = 0; i < servers.length; i++) {
                if (servers[i].requests().size() > before[i]) {
                    placed.put(user, i);
                }
            }
        }
        return placed;
    }

    @Test
    void refusedPrimaryIsRetriedOnTheNextAndTakenOutForFailTimeout() throws Exception {
        HttpEchoBackend good = backend();
        int refused = FerryInstance.freePort();
        start("""
                upstream app { server 127.0.0.1:%d max_fails=2 fail_timeout=30s; server 127.0.0.1:%d; }
                server { listen 127.0.0.1:PORT; location / { proxy_pass http://app; } }
                """.formatted(refused, good.port()));
        for (int i = 0; i < 20; i++) {
            assertThat(get("/x" + i).statusCode()).isEqualTo(200);
        }
        assertThat(good.requests()).hasSize(20);
        assertThat(errorLines("connect() failed (111: Connection refused)")).isEqualTo(2);
        assertThat(errorLines("upstream server temporarily disabled")).isEqualTo(1);
    }

    @Test
    void backupTakesOverWhenThePrimaryIsOutAndAllOutIs502() throws Exception {
        HttpEchoBackend spare = backend();
        int refused = FerryInstance.freePort();
        int refused2 = FerryInstance.freePort();
        start("""
                upstream app { server 127.0.0.1:%d; server 127.0.0.1:%d backup; }
                upstream dead { server 127.0.0.1:%d; server 127.0.0.1:%d; }
                server { listen 127.0.0.1:PORT;
                    location / { proxy_pass http://app; }
                    location /dead { proxy_pass http://dead; }
                }
                """.formatted(refused, spare.port(), refused, refused2));
        for (int i = 0; i < 5; i++) {
            assertThat(get("/b" + i).statusCode()).isEqualTo(200);
        }
        assertThat(spare.requests()).hasSize(5);
        assertThat(get("/dead/1").statusCode()).isEqualTo(502);
        assertThat(get("/dead/2").statusCode()).isEqualTo(502);
        assertThat(errorLines("no live upstreams while connecting to upstream")).isEqualTo(1);
    }

    @Test
    void keepalivePoolReusesUpstreamConnections() throws Exception {
        HttpEchoBackend b = backend();
        start("""
                upstream app { server 127.0.0.1:%d; keepalive 8; }
                server { listen 127.0.0.1:PORT;
                    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
                    location /noka/ { proxy_pass http://app/; }
                }
                """.formatted(b.port()));
        for (int i = 0; i < 100; i++) {
            assertThat(get("/k" + i).statusCode()).isEqualTo(200);
        }
        assertThat(b.requests()).hasSize(100);
        assertThat(b.connections()).isBetween(1, 2);
        int before = b.connections();
        for (int i = 0; i < 5; i++) {
            assertThat(get("/noka/" + i).statusCode()).isEqualTo(200);
        }
        // The first of them still takes the idle pooled connection (as nginx's keepalive module does);
        // its "Connection: close" ends it, so each of the others needs a connection of its own.
        assertThat(b.connections()).isEqualTo(before + 4);
    }

    @Test
    void pooledConnectionClosedByTheBackendIsNeverHandedOut() throws Exception {
        HttpEchoBackend b = backend();
        start("""
                upstream app { server 127.0.0.1:%d; keepalive 8; }
                server { listen 127.0.0.1:PORT;
                    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
                }
                """.formatted(b.port()));
        assertThat(get("/one").statusCode()).isEqualTo(200);
        // The backend closes after answering when asked to: the pooled connection dies while idle.
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/two"))
                .header("X-Backend-Close", "1").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            assertThat(get("/after" + i).statusCode()).isEqualTo(200);
        }
        assertThat(errorLines("prematurely closed")).isZero();
    }

    @Test
    void readTimeoutGives504AfterAboutASecond() throws Exception {
        HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slow.createContext("/", exchange -> {
            try {
                Thread.sleep(4000);
                exchange.sendResponseHeaders(200, -1);
            } catch (InterruptedException | IOException e) {
                // the proxy gave up first
            } finally {
                exchange.close();
            }
        });
        slow.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        slow.start();
        closer.add(() -> slow.stop(0));
        start("""
                server { listen 127.0.0.1:PORT;
                    location / { proxy_pass http://127.0.0.1:%d; proxy_read_timeout 1s; }
                }
                """.formatted(slow.getAddress().getPort()));
        long t0 = System.nanoTime();
        HttpResponse<String> r = get("/slow");
        long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(ms).isBetween(900L, 3000L);
        assertThat(errorLines("upstream timed out (110: Connection timed out) while reading response header from upstream")).isEqualTo(1);
    }

    @Test
    void leastConnCountsOpenWebSockets() throws Exception {
        EchoBackend a = EchoBackend.start(new InetSocketAddress("127.0.0.1", 0));
        EchoBackend b = EchoBackend.start(new InetSocketAddress("127.0.0.1", 0));
        closer.add(a);
        closer.add(b);
        start("""
                upstream ws { least_conn; server 127.0.0.1:%d; server 127.0.0.1:%d; }
                server { listen 127.0.0.1:PORT; location / { proxy_pass http://ws; } }
                """.formatted(a.port(), b.port()));
        Map<String, WebSocket> sockets = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            sockets.put("/s" + i, openWebSocket("/s" + i));
        }
        assertThat(a.handshakes()).hasSize(2);
        assertThat(b.handshakes()).hasSize(2);
        for (EchoBackend.HandshakeRecord hs : a.handshakes()) {
            sockets.get(hs.uri()).sendClose(1000, "").get(10, TimeUnit.SECONDS);
        }
        Peer peerA = ferry.server().upstreams().groups().iterator().next().peers().stream()
                .filter(p -> p.server().address().getPort() == a.port()).findFirst().orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (peerA.active() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(peerA.active()).isZero();
        openWebSocket("/s4");
        openWebSocket("/s5");
        assertThat(a.handshakes()).extracting(EchoBackend.HandshakeRecord::uri).contains("/s4", "/s5");
        assertThat(b.handshakes()).hasSize(2);
    }

    private WebSocket openWebSocket(String path) throws Exception {
        return client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + path), new WebSocket.Listener() { })
                .get(10, TimeUnit.SECONDS);
    }

    /** Accepts connections, reads the request head, then resets the connection. */
    private int resetter(AtomicInteger accepted) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        closer.add(server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    accepted.incrementAndGet();
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[4096];
                    int n = in.read(buf);
                    s.setSoLinger(true, 0);
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    @Test
    void postIsNotRetriedAfterResetUnlessNonIdempotent() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        int reset = resetter(accepted);
        HttpEchoBackend good = backend();
        start("""
                upstream strict { server 127.0.0.1:%1$d; server 127.0.0.1:%2$d; }
                upstream lenient { server 127.0.0.1:%1$d; server 127.0.0.1:%2$d; }
                upstream gets { server 127.0.0.1:%1$d; server 127.0.0.1:%2$d; }
                server { listen 127.0.0.1:PORT;
                    location /strict/ { proxy_pass http://strict; }
                    location /lenient/ { proxy_pass http://lenient; proxy_next_upstream error timeout non_idempotent; }
                    location /gets/ { proxy_pass http://gets; }
                }
                """.formatted(reset, good.port()));
        assertThat(post("/strict/p").statusCode()).isEqualTo(502);
        assertThat(good.requests()).isEmpty();
        assertThat(accepted.get()).isEqualTo(1);

        HttpResponse<String> lenient = post("/lenient/p");
        assertThat(lenient.statusCode()).isEqualTo(200);
        assertThat(good.last().method()).isEqualTo("POST");
        assertThat(good.last().bodyLength()).isEqualTo(7);

        assertThat(get("/gets/g").statusCode()).isEqualTo(200);
        assertThat(accepted.get()).isEqualTo(3);
    }

    @Test
    void statusListedInNextUpstreamIsRetriedAndTheLastAnswerPassedThrough() throws Exception {
        HttpEchoBackend a = backend();
        HttpEchoBackend b = backend();
        start("""
                upstream app { server 127.0.0.1:%d; server 127.0.0.1:%d; }
                server { listen 127.0.0.1:PORT;
                    location / { proxy_pass http://app; proxy_next_upstream error timeout http_503; proxy_set_header X-Reply-Status 503; }
                }
                """.formatted(a.port(), b.port()));
        HttpResponse<String> r = get("/s");
        assertThat(r.statusCode()).isEqualTo(503);
        // The last peer's own answer, not an error page of Ferry's.
        assertThat(r.body()).startsWith("GET /s\n");
        assertThat(a.requests()).hasSize(1);
        assertThat(b.requests()).hasSize(1);
    }
}
