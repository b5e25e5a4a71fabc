package io.ferry.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.demo.EchoBackend;
import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The byte tunnel after a 101, checked byte-exact with raw sockets: bytes the backend sends right
 * behind its 101 arrive, a half-close passes through while the reply still flows back, an idle
 * tunnel is closed after proxy_read_timeout, and the connection-upgrade map idiom sends "upgrade".
 */
@Timeout(60)
class UpgradeTunnelIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static ServerSocket rawBackend;
    static EchoBackend wsBackend;
    static FerryInstance ferry;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        rawBackend = closer.add(new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()));
        wsBackend = closer.add(EchoBackend.start(new InetSocketAddress("127.0.0.1", 0)));
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    log_format tunnel "$status $sent_http_connection $sent_http_upgrade";
                    map $http_upgrade $connection_upgrade {
                        default upgrade;
                        ''      close;
                    }
                    server {
                        listen 127.0.0.1:%1$d;
                        location /raw {
                            proxy_pass http://127.0.0.1:%2$d;
                            proxy_http_version 1.1;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection $connection_upgrade;
                            proxy_read_timeout 1s;
                            access_log logs/tunnel.log tunnel;
                        }
                        location /ws {
                            proxy_pass http://127.0.0.1:%3$d;
                            proxy_http_version 1.1;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection $connection_upgrade;
                        }
                        location /strict {
                            proxy_pass http://127.0.0.1:%3$d;
                            proxy_websocket off;
                        }
                    }
                }
                """.formatted(port, rawBackend.getLocalPort(), wsBackend.port())));
    }

    private static final String UPGRADE = "GET /raw HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    /** Accepts one connection: answers 101 plus "early", echoes until EOF, then says "bye" and closes. */
    private static CompletableFuture<String> serveOnce() {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = rawBackend.accept()) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                String head = readHead(in);
                s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nearly")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                    s.getOutputStream().write(buf, 0, n);
                }
                s.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
                return head;
            } catch (IOException e) {
                return "failed: " + e;
            }
        });
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            head.write(c);
            if (head.size() >= 4 && new String(head.toByteArray(), StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void earlyBytesEchoAndHalfClosePassThrough() throws Exception {
        CompletableFuture<String> backend = serveOnce();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(UPGRADE.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101 ");
            assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("early");

            byte[] payload = new byte[256 * 1024];
            new java.util.Random(3).nextBytes(payload);
            s.getOutputStream().write(payload);
            assertThat(in.readNBytes(payload.length)).isEqualTo(payload);

            s.shutdownOutput();
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bye");
        }
        String upstreamHead = backend.get(10, TimeUnit.SECONDS).toLowerCase();
        assertThat(upstreamHead).contains("connection: upgrade").contains("upgrade: websocket")
                .contains("sec-websocket-key: dghlihnhbxbszsbub25jzq==");
        // The 101's head is let go while the tunnel runs, but what the log format names is kept.
        Path log = prefix.resolve("logs/tunnel.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(log) && Files.readString(log).contains("101 "))) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(Files.readString(log)).contains("101 upgrade websocket\n");
    }

    @Test
    void idleTunnelIsClosedAfterReadTimeout() throws Exception {
        CompletableFuture<String> backend = serveOnce();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(UPGRADE.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");
            long start = System.nanoTime();
            byte[] rest = in.readAllBytes();
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(new String(rest, StandardCharsets.US_ASCII)).startsWith("early");
            assertThat(waitedMs).isBetween(800L, 5000L);
        }
        backend.get(10, TimeUnit.SECONDS);
    }

    @Test
    void mapIdiomSendsUpgradeForWebSockets() throws Exception {
        WsClient c = WsClient.connect(HttpClient.newHttpClient(), "ws://127.0.0.1:" + port + "/ws/chat", List.of(), null);
        c.ws.sendText("via map", true).get(10, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("via map");
        c.ws.sendClose(1000, "").get(10, TimeUnit.SECONDS);
        EchoBackend.HandshakeRecord hs = wsBackend.handshakes().get(wsBackend.handshakes().size() - 1);
        assertThat(hs.uri()).isEqualTo("/ws/chat");
        assertThat(hs.headers().get("Connection")).isEqualTo("upgrade");
    }

    @Test
    void withProxyWebsocketOffTheUpgradeIsNotForwarded() throws Exception {
        Throwable failure = WsClientHandshake.attempt(HttpClient.newHttpClient(), "ws://127.0.0.1:" + port + "/strict/x");
        assertThat(failure).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
        assertThat(((java.net.http.WebSocketHandshakeException) failure).getResponse().statusCode()).isEqualTo(200);
    }
}
