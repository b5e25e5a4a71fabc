package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * proxy_next_upstream's bounds and limits, counted on the peers: how many are tried
 * (_tries, _timeout), never another once response bytes reached the client, and a request body is
 * sent again only while it fits the replay buffer (64 KiB).
 */
@Timeout(60)
class ProxyRetriesIT {
    /** What a streamed body (proxy_request_buffering off) keeps for a retry: client_body_buffer_size, 16k by default. */
    private static final int REPLAY_LIMIT = 16 * 1024;

    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();
    final ErrorLogLines errors = closer.add(ErrorLogLines.capture());
    int port;

    private void start(String http) throws Exception {
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, "http {\n" + http.replace("PORT", Integer.toString(port)) + "\n}\n"));
    }

    /** Peers that each read a request head, then close without answering: an "error" for next_upstream. */
    private List<SocketBackend> closingPeers(int n) throws IOException {
        List<SocketBackend> peers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            peers.add(closer.add(SocketBackend.start(s -> SocketBackend.readHead(s.getInputStream()))));
        }
        return peers;
    }

    private static String servers(List<SocketBackend> peers) {
        StringBuilder sb = new StringBuilder();
        for (SocketBackend p : peers) {
            sb.append("server 127.0.0.1:").append(p.port()).append("; ");
        }
        return sb.toString();
    }

    private static int connections(List<SocketBackend> peers) {
        return peers.stream().mapToInt(SocketBackend::connections).sum();
    }

    private RawHttpClient.Response get(String path) throws IOException {
        try (RawHttpClient client = new RawHttpClient(port)) {
            return client.send("GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
        }
    }

    @Test
    void nextUpstreamTriesBoundsHowManyPeersAreTried() throws Exception {
        List<SocketBackend> bounded = closingPeers(5);
        List<SocketBackend> unbounded = closingPeers(5);
        start("""
                upstream bounded { %s }
                upstream unbounded { %s }
                server { listen 127.0.0.1:PORT;
                    location /bounded { proxy_pass http://bounded; proxy_next_upstream_tries 3; }
                    location /unbounded { proxy_pass http://unbounded; }
                }
                """.formatted(servers(bounded), servers(unbounded)));
        assertThat(get("/bounded").status()).isEqualTo(502);
        assertThat(connections(bounded)).isEqualTo(3);
        assertThat(bounded).allSatisfy(p -> assertThat(p.connections()).isLessThanOrEqualTo(1));
        // The same peers without a bound: every one of them is tried once.
        assertThat(get("/unbounded").status()).isEqualTo(502);
        assertThat(unbounded).allSatisfy(p -> assertThat(p.connections()).isEqualTo(1));
    }

    @Test
    void nextUpstreamTimeoutStopsRetryingOnceItHasPassed() throws Exception {
        List<SocketBackend> silent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            silent.add(closer.add(SocketBackend.start(s -> {
                SocketBackend.readHead(s.getInputStream());
                s.getInputStream().read();
            })));
        }
        start("""
                upstream silent { %s }
                server { listen 127.0.0.1:PORT;
                    location / { proxy_pass http://silent; proxy_read_timeout 300ms; proxy_next_upstream_timeout 450ms; }
                }
                """.formatted(servers(silent)));
        long t0 = System.nanoTime();
        assertThat(get("/t").status()).isEqualTo(504);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        // Each attempt waits 300 ms, so by the end of the second 450 ms have passed: no third is
        // started (without the bound all six would be, for 1.8 s).
        assertThat(connections(silent)).isBetween(1, 2);
        assertThat(ms).isBetween(300L * connections(silent), 1_700L);
    }

    /** The peer dies mid-body with a FIN ({@code reset} false) or a RST. */
    @ParameterizedTest(name = "reset={0}")
    @ValueSource(booleans = {false, true})
    void noOtherPeerIsTriedOnceResponseBytesReachedTheClient(boolean reset) throws Exception {
        CountDownLatch delivered = new CountDownLatch(1);
        List<SocketBackend> dying = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            dying.add(closer.add(SocketBackend.start(s -> {
                SocketBackend.readHead(s.getInputStream());
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(100));
                if (reset) {
                    // Only once the bytes reached the client, so the reset cannot overtake them
                    delivered.await(10, TimeUnit.SECONDS);
                    s.setSoLinger(true, 0);
                }
            })));
        }
        start("""
                upstream dying { %s }
                server { listen 127.0.0.1:PORT; location / { proxy_pass http://dying; proxy_read_timeout 30s; } }
                """.formatted(servers(dying)));
        byte[] all = untilClosed("GET /partial HTTP/1.1\r\nHost: a\r\n\r\n", "x".repeat(100), delivered);
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n") + 4;
        assertThat(text).startsWith("HTTP/1.1 200").contains("\r\nContent-Length: 1000\r\n");
        // The head promised 1000 bytes; the client gets the 100 that came, then the connection ends.
        assertThat(all.length - headEnd).isEqualTo(100);
        assertThat(connections(dying)).isEqualTo(1);
        assertThat(errors.count(reset ? "recv() failed (104: Connection reset by peer) while reading upstream,"
                : "upstream prematurely closed connection while reading upstream,")).isEqualTo(1);
    }

    /**
     * Every byte Ferry sends on one connection until it closes or resets it (fails if it stays open);
     * {@code received} is counted down once what arrived ends with {@code awaited}.
     */
    private byte[] untilClosed(String request, String awaited, CountDownLatch received) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            InputStream in = socket.getInputStream();
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    all.write(buf, 0, n);
                    if (all.toString(StandardCharsets.ISO_8859_1).endsWith(awaited)) {
                        received.countDown();
                    }
                }
            } catch (SocketException reset) {
                // a reset ends the connection as well as a FIN does
            }
            return all.toByteArray();
        }
    }

    @Test
    void streamedBodyWithinTheBufferIsSentAgainToTheNextPeerAndALargerOneIsNot() throws Exception {
        SocketBackend swallowing = closer.add(SocketBackend.start(s -> {
            InputStream in = s.getInputStream();
            String head = SocketBackend.readHead(in);
            in.readNBytes((int) SocketBackend.contentLength(head));
        }));
        HttpEchoBackend good = closer.add(HttpEchoBackend.start());
        // One group per case, so each starts with the swallowing peer and no failure history.
        start("""
                upstream fits { server 127.0.0.1:%1$d; server 127.0.0.1:%2$d; }
                upstream over { server 127.0.0.1:%1$d; server 127.0.0.1:%2$d; }
                server { listen 127.0.0.1:PORT;
                    client_max_body_size 1m;
                    proxy_request_buffering off;
                    location /fits { proxy_pass http://fits; }
                    location /over { proxy_pass http://over; }
                }
                """.formatted(swallowing.port(), good.port()));
        byte[] fits = body(REPLAY_LIMIT);
        assertThat(put("/fits", fits).status()).isEqualTo(200);
        assertThat(swallowing.connections()).isEqualTo(1);
        assertThat(good.requests()).hasSize(1);
        assertThat(good.last().bodyLength()).isEqualTo(fits.length);
        assertThat(good.last().bodySha256Hex()).isEqualTo(sha256(fits));

        // One byte more: the peer that swallowed it was sent the only copy, so there is no retry.
        assertThat(put("/over", body(REPLAY_LIMIT + 1)).status()).isEqualTo(502);
        assertThat(swallowing.connections()).isEqualTo(2);
        assertThat(good.requests()).hasSize(1);
    }

    @Test
    void aKeptBodyIsStillSentAgainAfterTheNextPeerRefusedTheConnection() throws Exception {
        SocketBackend swallowing = closer.add(SocketBackend.start(s -> {
            InputStream in = s.getInputStream();
            String head = SocketBackend.readHead(in);
            in.readNBytes((int) SocketBackend.contentLength(head));
        }));
        int refusing = FerryInstance.freePort();
        HttpEchoBackend good = closer.add(HttpEchoBackend.start());
        start("""
                upstream three { server 127.0.0.1:%d; server 127.0.0.1:%d; server 127.0.0.1:%d; }
                server { listen 127.0.0.1:PORT;
                    location / { proxy_pass http://three; proxy_read_timeout 2s; }
                }
                """.formatted(swallowing.port(), refusing, good.port()));
        byte[] body = body(1000);
        assertThat(put("/replay", body).status()).isEqualTo(200);
        assertThat(errors.count("connect() failed (111: Connection refused) while connecting to upstream")).isEqualTo(1);
        assertThat(good.last().bodyLength()).isEqualTo(body.length);
        assertThat(good.last().bodySha256Hex()).isEqualTo(sha256(body));
    }

    private RawHttpClient.Response put(String path, byte[] body) throws IOException {
        try (RawHttpClient client = new RawHttpClient(port)) {
            client.send("PUT " + path + " HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n");
            client.send(body);
            return client.read();
        }
    }

    private static byte[] body(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
