package io.ferry.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.demo.EchoBackend;
import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.TestTls;
import io.ferry.tls.SelfSignedCertificates;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed scenario: one TLS port serves HTTPS and WSS, with the operator's two location blocks
 * pasted verbatim (brace on its own line, odd indentation), only the ports changed.
 */
@Timeout(120)
class WssOnHttpsPortIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static EchoBackend wsBackend;
    static HttpEchoBackend tomcat;
    static FerryInstance ferry;
    static int port;
    static HttpClient https;

    @BeforeAll
    static void start() throws Exception {
        wsBackend = closer.add(EchoBackend.start(new InetSocketAddress("127.0.0.1", 0)));
        tomcat = closer.add(HttpEchoBackend.start());
        port = FerryInstance.freePort();
        Path cert = prefix.resolve("conf/site.crt");
        SelfSignedCertificates.write(cert, prefix.resolve("conf/site.key"), List.of("localhost"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.TRADITIONAL);
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%1$d ssl;
                        server_name localhost;
                        ssl_certificate site.crt;
                        ssl_certificate_key site.key;
                location /wss
                    {
                         proxy_pass http://127.0.0.1:%2$d;
                         proxy_http_version 1.1;
                         proxy_set_header Upgrade $http_upgrade;
                         proxy_set_header Connection "Upgrade";
                        proxy_set_header X-Real-IP $remote_addr;
                     }
                location /Tomcat
                    {
                         proxy_pass http://127.0.0.1:%3$d;
                         proxy_http_version 1.1;
                        proxy_set_header X-Real-IP $remote_addr;
                     }
                        location /bare {
                            proxy_pass http://127.0.0.1:%2$d;
                        }
                    }
                }
                """.formatted(port, wsBackend.port(), tomcat.port())));
        https = TestTls.httpClient(cert);
    }

    private static String wss(String path) {
        return "wss://localhost:" + port + path;
    }

    @Test
    void wssEchoesTextAndBinaryWithSubprotocolPingAndCloseCode() throws Exception {
        WsClient c = WsClient.connect(https, wss("/wss"), List.of("chat", "superchat"), "https://app.example");
        assertThat(c.ws.getSubprotocol()).isEqualTo("chat");

        c.ws.sendText("hello over wss", true).get(10, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("hello over wss");

        byte[] big = new byte[4 * 1024 * 1024];
        new Random(7).nextBytes(big);
        c.ws.sendBinary(ByteBuffer.wrap(big), true).get(30, TimeUnit.SECONDS);
        assertThat((byte[]) c.next()).isEqualTo(big);

        c.ws.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        assertThat(WsClient.utf8(c.pongs.poll(10, TimeUnit.SECONDS))).isEqualTo("are you there");

        c.ws.sendClose(4000, "done here").get(10, TimeUnit.SECONDS);
        WsClient.Closed closed = c.closed.get(10, TimeUnit.SECONDS);
        assertThat(closed.code()).isEqualTo(4000);
        assertThat(closed.reason()).isEqualTo("done here");

        EchoBackend.HandshakeRecord hs = wsBackend.handshakes().get(wsBackend.handshakes().size() - 1);
        assertThat(hs.uri()).isEqualTo("/wss");
        assertThat(hs.headers().getAll("X-Real-IP")).containsExactly("127.0.0.1");
        assertThat(hs.headers().get("Origin")).isEqualTo("https://app.example");
        assertThat(hs.headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat, superchat");
        assertThat(hs.headers().get("Sec-WebSocket-Version")).isEqualTo("13");
    }

    @Test
    void httpsOnTheSamePortReachesTomcat() throws Exception {
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/Tomcat/app?x=1&y=%20z")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        HttpEchoBackend.Recorded rec = tomcat.last();
        assertThat(rec.uri()).isEqualTo("/Tomcat/app?x=1&y=%20z");
        assertThat(rec.headers().get("X-Real-IP")).isEqualTo("127.0.0.1");
        assertThat(rec.headers().get("Host")).isEqualTo("127.0.0.1:" + tomcat.port());
    }

    @Test
    void webSocketWorksEvenWithoutTheUpgradeBoilerplate() throws Exception {
        WsClient c = WsClient.connect(https, wss("/bare/socket"), List.of(), null);
        c.ws.sendText("no boilerplate", true).get(10, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("no boilerplate");
        c.ws.sendClose(1000, "").get(10, TimeUnit.SECONDS);
        assertThat(c.closed.get(10, TimeUnit.SECONDS).code()).isEqualTo(1000);
    }

    @Test
    void twoHundredConcurrentWebSocketsDoNotCrossTalk() throws Exception {
        int sockets = 200;
        int messages = 20;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<CompletableFuture<WsClient>> connecting = new ArrayList<>();
            for (int i = 0; i < sockets; i++) {
                connecting.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return WsClient.connect(https, wss("/wss"), List.of("chat"), null);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            List<WsClient> clients = new ArrayList<>();
            for (CompletableFuture<WsClient> f : connecting) {
                clients.add(f.get(60, TimeUnit.SECONDS));
            }
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < sockets; i++) {
                int id = i;
                WsClient c = clients.get(i);
                work.add(pool.submit(() -> {
                    for (int m = 0; m < messages; m++) {
                        String text = "socket-" + id + "-message-" + m;
                        c.ws.sendText(text, true).get(10, TimeUnit.SECONDS);
                        assertThat(c.next()).isEqualTo(text);
                    }
                    c.ws.sendClose(1000, "").get(10, TimeUnit.SECONDS);
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNonSwitchingAnswerIsRelayedAsAnOrdinaryResponse() throws Exception {
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/Tomcat/ws"))
                .header("X-Reply-Status", "403").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(WsClientHandshake.attempt(https, wss("/Tomcat/ws"))).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
    }
}
