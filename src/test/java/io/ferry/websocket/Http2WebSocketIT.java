package io.ferry.websocket;

import static io.ferry.testing.H2TunnelClient.maskedClose;
import static io.ferry.testing.H2TunnelClient.maskedText;
import static io.ferry.testing.H2TunnelClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.demo.EchoBackend;
import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.H2TunnelClient;
import io.ferry.tls.SelfSignedCertificates;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket over HTTP/2 (RFC 8441) with a real HTTP/2 client: the server advertises extended
 * CONNECT, a stream's CONNECT opens an HTTP/1.1 upgrade to the backend (nginx's boilerplate and
 * Ferry's bare proxy_pass alike), and the stream becomes the tunnel, flow control and ends included.
 */
@Timeout(120)
class Http2WebSocketIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static EchoBackend wsBackend;
    static ServerSocket rawBackend;
    static FerryInstance ferry;
    static int plain;
    static int tls;

    @BeforeAll
    static void start() throws Exception {
        wsBackend = closer.add(EchoBackend.start(new InetSocketAddress("127.0.0.1", 0)));
        rawBackend = closer.add(new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()));
        plain = FerryInstance.freePort();
        tls = FerryInstance.freePort();
        SelfSignedCertificates.write(prefix.resolve("conf/site.crt"), prefix.resolve("conf/site.key"), List.of("localhost"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.TRADITIONAL);
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    log_format h2 "$connection $request_method $server_protocol $status";
                    access_log logs/h2.log h2;
                    server {
                        listen 127.0.0.1:%1$d;
                        listen 127.0.0.1:%2$d ssl;
                        http2 on;
                        server_name localhost;
                        ssl_certificate site.crt;
                        ssl_certificate_key site.key;
                        location /wss {
                            proxy_pass http://127.0.0.1:%3$d;
                            proxy_http_version 1.1;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection "Upgrade";
                        }
                        location /bare {
                            proxy_pass http://127.0.0.1:%3$d;
                        }
                        location /raw {
                            proxy_pass http://127.0.0.1:%4$d;
                        }
                        location /page {
                            return 200 "page";
                        }
                        location /files {
                            root html;
                        }
                    }
                }
                """.formatted(plain, tls, wsBackend.port(), rawBackend.getLocalPort())));
    }

    @Test
    void settingsAdvertiseExtendedConnect() throws Exception {
        try (H2TunnelClient client = H2TunnelClient.connect(plain, false)) {
            assertThat(client.serverSettings().connectProtocolEnabled()).isTrue();
        }
    }

    @Test
    void echoOverPriorKnowledgeWithTheBoilerplate() throws Exception {
        try (H2TunnelClient client = H2TunnelClient.connect(plain, false)) {
            echoes(client, "/wss");
        }
        EchoBackend.HandshakeRecord hs = wsBackend.handshakes().get(wsBackend.handshakes().size() - 1);
        assertThat(hs.headers().get("Upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(hs.headers().get("Sec-WebSocket-Key")).hasSize(24);
    }

    @Test
    void echoOverTlsWithBareProxyPass() throws Exception {
        try (H2TunnelClient client = H2TunnelClient.connect(tls, true)) {
            echoes(client, "/bare");
        }
    }

    private static void echoes(H2TunnelClient client, String path) throws Exception {
        H2TunnelClient.Stream ws = client.open(H2TunnelClient.websocket("localhost", path), false, true);
        Http2Headers head = ws.head();
        assertThat(head.status().toString()).isEqualTo("200");
        assertThat(head.contains("sec-websocket-accept")).isFalse();
        ws.send(maskedText("hello"), false);
        assertThat(ws.read(7)).isEqualTo(text("hello"));
        ws.send(maskedText("again"), false);
        assertThat(ws.read(7)).isEqualTo(text("again"));
        // the close handshake: the backend answers the close frame and goes, and so does the stream
        ws.send(maskedClose(1000), false);
        assertThat(ws.read(4)).isEqualTo(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE8});
        assertThat(ws.end()).isNotEqualTo("TIMEOUT");
    }

    @Test
    void severalTunnelsAndAPageShareOneConnection() throws Exception {
        try (H2TunnelClient client = H2TunnelClient.connect(tls, true)) {
            List<H2TunnelClient.Stream> tunnels = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                tunnels.add(client.open(H2TunnelClient.websocket("localhost", "/wss"), false, true));
            }
            for (H2TunnelClient.Stream ws : tunnels) {
                assertThat(ws.head().status().toString()).isEqualTo("200");
            }
            H2TunnelClient.Stream page = client.open(new DefaultHttp2Headers().method("GET").scheme("https")
                    .path("/page").authority("localhost"), true, true);
            assertThat(page.head().status().toString()).isEqualTo("200");
            assertThat(new String(page.read(4), StandardCharsets.US_ASCII)).isEqualTo("page");
            for (int i = 0; i < tunnels.size(); i++) {
                tunnels.get(i).send(maskedText("t" + i), false);
            }
            for (int i = tunnels.size() - 1; i >= 0; i--) {
                assertThat(tunnels.get(i).read(4)).isEqualTo(text("t" + i));
            }
        }
        Path log = prefix.resolve("logs/h2.log");
        awaitLog(log, "CONNECT HTTP/2.0 200");
        assertThat(Files.readString(log)).contains("GET HTTP/2.0 200");
    }

    @Test
    void clientEndStreamHalfClosesTowardsTheBackendAndItsFinEndsTheStream() throws Exception {
        CompletableFuture<String> backend = serveRaw((in, out) -> {
            byte[] got = in.readAllBytes();
            out.write(("got " + got.length).getBytes(StandardCharsets.US_ASCII));
        });
        try (H2TunnelClient client = H2TunnelClient.connect(plain, false)) {
            H2TunnelClient.Stream ws = client.open(H2TunnelClient.websocket("localhost", "/raw"), false, true);
            assertThat(ws.head().status().toString()).isEqualTo("200");
            ws.send("abc".getBytes(StandardCharsets.US_ASCII), true);
            assertThat(new String(ws.read(5), StandardCharsets.US_ASCII)).isEqualTo("got 3");
            assertThat(ws.end()).isIn("END", "CLOSED");
        }
        String head = backend.get(10, TimeUnit.SECONDS).toLowerCase();
        assertThat(head).startsWith("get /raw http/1.1").contains("upgrade: websocket").contains("connection: upgrade")
                .contains("sec-websocket-version: 13");
    }

    @Test
    void backendFinIsEndStream() throws Exception {
        serveRaw((in, out) -> {
            // after the tunnel is in place: a FIN that comes with the 101 itself is not what this checks
            sleep(300);
            out.write("bye".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            out.close();
        });
        try (H2TunnelClient client = H2TunnelClient.connect(plain, false)) {
            H2TunnelClient.Stream ws = client.open(H2TunnelClient.websocket("localhost", "/raw"), false, true);
            assertThat(ws.head().status().toString()).isEqualTo("200");
            assertThat(new String(ws.read(3), StandardCharsets.US_ASCII)).isEqualTo("bye");
            assertThat(ws.end()).isEqualTo("END");
        }
    }

    @Test
    void resetFromTheClientClosesTheBackendConnection() throws Exception {
        CompletableFuture<Integer> eof = new CompletableFuture<>();
        serveRaw((in, out) -> eof.complete(in.read()));
        try (H2TunnelClient client = H2TunnelClient.connect(plain, false)) {
            H2TunnelClient.Stream ws = client.open(H2TunnelClient.websocket("localhost", "/raw"), false, true);
            assertThat(ws.head().status().toString()).isEqualTo("200");
            ws.reset();
            assertThat(eof.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
        }
    }

    @Test
    void aClientThatDoesNotReadStopsTheBackendBeingRead() throws Exception {
        AtomicLong written = new AtomicLong();
        serveRaw((in, out) -> {
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < 20 * 16; i++) {
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
        });
        try (H2TunnelClient client = H2TunnelClient.connect(plain, false)) {
            H2TunnelClient.Stream ws = client.open(H2TunnelClient.websocket("localhost", "/raw"), false, false);
            ws.channel().read();
            assertThat(ws.head().status().toString()).isEqualTo("200");
            Thread.sleep(1500);
            long stalled = written.get();
            Thread.sleep(1000);
            assertThat(written.get()).isEqualTo(stalled).isPositive().isLessThan(10L * 1024 * 1024);
            ws.channel().config().setAutoRead(true);
            ws.reset();
        }
    }

    @Test
    void aRefusedUpgradeIsPassedOnAsItsResponse() throws Exception {
        serveRaw((in, out) -> out.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno".getBytes(StandardCharsets.US_ASCII)),
                false);
        try (H2TunnelClient client = H2TunnelClient.connect(plain, false)) {
            H2TunnelClient.Stream ws = client.open(H2TunnelClient.websocket("localhost", "/raw"), false, true);
            assertThat(ws.head().status().toString()).isEqualTo("403");
            assertThat(new String(ws.read(2), StandardCharsets.US_ASCII)).isEqualTo("no");
        }
    }

    @Test
    void aBackendThatNeverSwitchedOpensNoTunnel() throws Exception {
        serveRaw((in, out) -> out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII)),
                false);
        serveRaw((in, out) -> out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: bm90IHRoZSBhbnN3ZXI=\r\n\r\n").getBytes(StandardCharsets.US_ASCII)), false);
        try (H2TunnelClient client = H2TunnelClient.connect(plain, false)) {
            // a 200 would tell the client its tunnel is open; a wrong key answer is no WebSocket server's
            assertThat(client.open(H2TunnelClient.websocket("localhost", "/raw"), false, true).head().status().toString())
                    .isEqualTo("502");
            assertThat(client.open(H2TunnelClient.websocket("localhost", "/raw"), false, true).head().status().toString())
                    .isEqualTo("502");
        }
    }

    @Test
    void aProtocolWithoutConnectIsABadRequest() throws Exception {
        try (H2TunnelClient client = H2TunnelClient.connect(plain, false)) {
            Http2Headers get = new DefaultHttp2Headers().method("GET").scheme("http").path("/wss").authority("localhost");
            get.set(":protocol", "websocket");
            assertThat(client.open(get, true, true).head().status().toString()).isEqualTo("400");
        }
    }

    @Test
    void aTunnelWhereNoProxyIsIsRefused() throws Exception {
        try (H2TunnelClient client = H2TunnelClient.connect(plain, false)) {
            H2TunnelClient.Stream ws = client.open(H2TunnelClient.websocket("localhost", "/files/"), false, true);
            assertThat(ws.head().status().toString()).isEqualTo("405");
        }
    }

    @Test
    void quitEndsTheTunnelWithGoingAway(@TempDir Path own) throws Exception {
        int port = FerryInstance.freePort();
        FerryInstance quitting = FerryInstance.start(own, """
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        http2 on;
                        location / {
                            proxy_pass http://127.0.0.1:%2$d;
                        }
                    }
                }
                """.formatted(port, wsBackend.port()));
        try (H2TunnelClient client = H2TunnelClient.connect(port, false)) {
            H2TunnelClient.Stream ws = client.open(H2TunnelClient.websocket("localhost", "/"), false, true);
            assertThat(ws.head().status().toString()).isEqualTo("200");
            ws.send(maskedText("hi"), false);
            assertThat(ws.read(4)).isEqualTo(text("hi"));
            CompletableFuture<Void> quit = CompletableFuture.runAsync(() -> quitting.server().quit(java.time.Duration.ofMillis(300)));
            assertThat(ws.read(4)).isEqualTo(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE9});
            quit.get(20, TimeUnit.SECONDS);
        } finally {
            quitting.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!wsBackend.closeCodes().contains(1001)) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    interface Session {
        void run(InputStream in, OutputStream out) throws IOException;
    }

    private static CompletableFuture<String> serveRaw(Session session) {
        return serveRaw(session, true);
    }

    /** One backend connection: reads the handshake, answers 101 (when asked to), then runs {@code session}. */
    private static CompletableFuture<String> serveRaw(Session session, boolean accept) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = rawBackend.accept()) {
                s.setSoTimeout(20_000);
                InputStream in = s.getInputStream();
                String head = UpgradeTunnelIT.readHead(in);
                String key = head.lines().filter(l -> l.toLowerCase().startsWith("sec-websocket-key:"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
                if (accept) {
                    s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: " + WebSocketKey.accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                // closing the session's output half-closes the connection, as a backend's FIN
                session.run(in, new java.io.FilterOutputStream(s.getOutputStream()) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        s.shutdownOutput();
                    }
                });
                return head;
            } catch (IOException e) {
                return "failed: " + e;
            }
        });
    }

    static void awaitLog(Path log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(log) && Files.readString(log).contains(text))) {
            assertThat(System.nanoTime()).as("%s in the log", text).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
