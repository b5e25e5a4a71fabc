package io.ferry.http.v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.H2FrameClient;
import io.ferry.testing.H2FrameClient.Frame;
import io.ferry.testing.SilentPeer;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each HTTP/2 defence against its attack over a real socket: the attacking connection is ended (GOAWAY, or
 * the stream refused), within bounded time, and a client on another connection is answered meanwhile.
 */
@Timeout(120)
class Http2DefencesIT {
    private static final Duration QUICK = Duration.ofSeconds(3);
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    private int port;
    /** A port whose socket send buffer is small, so that ACKs a client leaves unread queue up soon. */
    private int smallBufferPort;
    private SilentPeer silent;

    @BeforeEach
    void start() throws Exception {
        port = FerryInstance.freePort();
        smallBufferPort = FerryInstance.freePort();
        silent = closer.add(SilentPeer.mute());
        closer.add(FerryInstance.start(prefix, """
                events { worker_connections 256; }
                http {
                    server {
                        listen 127.0.0.1:%d;
                        listen 127.0.0.1:%d sndbuf=8k;
                        http2 on;
                        http2_max_concurrent_streams 4;
                        send_timeout 1s;
                        client_body_timeout 1s;
                        location / { return 200 "ok\\n"; }
                        location /silent { proxy_pass http://127.0.0.1:%d; proxy_read_timeout 60s; }
                    }
                }
                """.formatted(port, smallBufferPort, silent.port())));
    }

    /** A fresh connection's GET is answered 200 within a few seconds, whatever the attack on another one. */
    private void othersAreServed() throws Exception {
        long start = System.nanoTime();
        try (H2FrameClient c = H2FrameClient.connect(port)) {
            c.get(1, "/");
            Frame h = c.await(f -> f.type() == Http2FrameTypes.HEADERS && f.streamId() == 1, QUICK);
            assertThat(h.status()).isEqualTo("200");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(QUICK);
    }

    /** Runs {@code attack} on its own thread while another client is served; it must end within 30 s. */
    private void whileAttacking(Runnable attack) throws Exception {
        CompletableFuture<Void> running = CompletableFuture.runAsync(attack);
        othersAreServed();
        running.get(30, TimeUnit.SECONDS);
        othersAreServed();
    }

    private static Frame goAway(H2FrameClient c) throws InterruptedException {
        return c.awaitType(Http2FrameTypes.GO_AWAY);
    }

    @Test
    void rapidResetIsCutOffWithEnhanceYourCalm() throws Exception {
        try (H2FrameClient attacker = H2FrameClient.connect(port)) {
            whileAttacking(() -> attacker.batch(c -> {
                // a little over the limit, all read before the server closes: the client sees its GOAWAY
                for (int id = 1; id < 2 * 250; id += 2) {
                    c.get(id, "/silent").rst(id, Http2Error.CANCEL.code());
                }
            }));
            Frame g = goAway(attacker);
            assertThat(g.code()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            assertThat(attacker.awaitClosed(QUICK)).isTrue();
        }
    }

    @Test
    void continuationFloodEndsBeforeTheBlockIsBuffered() throws Exception {
        byte[] fragment = new byte[4096];
        int[] sent = {0};
        try (H2FrameClient attacker = H2FrameClient.connect(port)) {
            // 40 MB of one header block, against a limit of large_client_header_buffers (4 x 8k)
            whileAttacking(() -> {
                attacker.frame(Http2FrameTypes.HEADERS, 1, 0, new byte[16]);
                for (; sent[0] < 10_000 && attacker.writable(); sent[0]++) {
                    attacker.continuation(1, fragment, false);
                }
            });
            assertThat(attacker.awaitClosed(QUICK)).isTrue();
            assertThat(sent[0]).as("frames written before the server closed").isLessThan(10_000);
        }
    }

    @Test
    void smallContinuationFramesInARowEndTheConnection() throws Exception {
        try (H2FrameClient attacker = H2FrameClient.connect(port)) {
            whileAttacking(() -> attacker.batch(c -> {
                c.frame(Http2FrameTypes.HEADERS, 1, 0, new byte[0]);
                for (int i = 0; i < 2 * Http2Defences.MAX_SMALL_CONTINUATION_FRAMES; i++) {
                    c.continuation(1, new byte[0], false);
                }
            }));
            assertThat(goAway(attacker).code()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            assertThat(attacker.awaitClosed(QUICK)).isTrue();
        }
    }

    @Test
    void hpackBombIsRefusedAtTheDecodedSizeLimit() throws Exception {
        // one 3000-byte field enters the dynamic table, then each repeat costs the sender a byte: 600 KB decoded
        Http2Headers bomb = H2FrameClient.request("GET", "/");
        String value = "x".repeat(3000);
        for (int i = 0; i < 200; i++) {
            bomb.add("x-bomb", value);
        }
        try (H2FrameClient attacker = H2FrameClient.connect(port)) {
            whileAttacking(() -> attacker.headers(1, bomb, true));
            Frame f = attacker.await(x -> x.streamId() == 1 || x.type() == Http2FrameTypes.GO_AWAY);
            assertThat(f.status()).as("%s", f).isEqualTo("431");
        }
    }

    @Test
    void aHeaderTableLargerThanTheDefaultIsACompressionError() throws Exception {
        // a dynamic table size update to 1 MB, more than SETTINGS_HEADER_TABLE_SIZE allows (RFC 7541, 4.2)
        byte[] block = {0x3f, (byte) 0xe1, (byte) 0xff, 0x3f};
        try (H2FrameClient attacker = H2FrameClient.connect(port)) {
            attacker.frame(Http2FrameTypes.HEADERS, 1, 0x5, block);
            assertThat(goAway(attacker).code()).isEqualTo(Http2Error.COMPRESSION_ERROR.code());
        }
    }

    @Test
    void pingFloodFromAClientThatNeverReadsIsEnded() throws Exception {
        flood(c -> c.ping(42));
    }

    @Test
    void settingsFloodFromAClientThatNeverReadsIsEnded() throws Exception {
        flood(c -> c.settings(new Http2Settings()));
    }

    /**
     * Frames whose ACKs pile up behind the full socket buffers until the queue limit: then GOAWAY, which the
     * client does not read either, so send_timeout closes the connection.
     */
    private void flood(java.util.function.Consumer<H2FrameClient> frame) throws Exception {
        try (H2FrameClient attacker = H2FrameClient.connect(smallBufferPort)) {
            attacker.awaitType(Http2FrameTypes.SETTINGS);
            attacker.reading(false);
            whileAttacking(() -> {
                for (int round = 0; round < 10 && attacker.writable(); round++) {
                    attacker.batch(c -> {
                        for (int i = 0; i < 10_000; i++) {
                            frame.accept(c);
                        }
                    });
                }
            });
            attacker.reading(true);
            assertThat(attacker.awaitClosed(Duration.ofSeconds(10))).isTrue();
            assertThat(attacker.drain()).filteredOn(f -> f.type() == Http2FrameTypes.GO_AWAY)
                    .allMatch(f -> f.code() == Http2Error.ENHANCE_YOUR_CALM.code());
        }
    }

    @Test
    void streamsBeyondTheConcurrentLimitAreRefused() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(port)) {
            c.awaitType(Http2FrameTypes.SETTINGS);
            for (int id = 1; id <= 9; id += 2) {
                c.get(id, "/silent");
            }
            Frame rst = c.await(f -> f.type() == Http2FrameTypes.RST_STREAM);
            assertThat(rst.streamId()).isEqualTo(9);
            assertThat(rst.code()).isEqualTo(Http2Error.REFUSED_STREAM.code());
            othersAreServed();
        }
    }

    @Test
    void aWindowUpdatePastTheLargestWindowIsAFlowControlError() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(port)) {
            c.windowUpdate(0, Integer.MAX_VALUE);
            assertThat(goAway(c).code()).isEqualTo(Http2Error.FLOW_CONTROL_ERROR.code());
            assertThat(c.awaitClosed(QUICK)).isTrue();
        }
    }

    @Test
    void aStreamWindowUpdatePastTheLargestWindowResetsTheStream() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(port)) {
            c.get(1, "/silent").windowUpdate(1, Integer.MAX_VALUE);
            Frame rst = c.awaitType(Http2FrameTypes.RST_STREAM);
            assertThat(rst.code()).isEqualTo(Http2Error.FLOW_CONTROL_ERROR.code());
        }
    }

    @Test
    void emptyDataFramesInARowEndTheConnection() throws Exception {
        try (H2FrameClient attacker = H2FrameClient.connect(port)) {
            attacker.headers(1, H2FrameClient.request("POST", "/silent"), false);
            whileAttacking(() -> attacker.batch(c -> {
                for (int i = 0; i < 2 * Http2Defences.MAX_EMPTY_DATA_FRAMES + 1; i++) {
                    c.data(1, new byte[0], false);
                }
            }));
            assertThat(goAway(attacker).code()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            assertThat(attacker.awaitClosed(QUICK)).isTrue();
        }
    }

    @Test
    void aBodyThatStopsComingEndsItsStreamWithProtocolError() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(port)) {
            long start = System.nanoTime();
            c.headers(1, H2FrameClient.request("POST", "/silent"), false).data(1, new byte[4], false);
            Frame rst = c.awaitType(Http2FrameTypes.RST_STREAM);
            assertThat(rst.code()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
            c.ping(7);
            assertThat(c.await(f -> f.type() == Http2FrameTypes.PING).code()).as("the connection goes on").isEqualTo(7);
        }
    }

    @Test
    void aClientHoldingItsWindowShutIsEndedBySendTimeout() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(port, new Http2Settings().initialWindowSize(0), true)) {
            long start = System.nanoTime();
            c.get(1, "/");
            Frame h = c.awaitType(Http2FrameTypes.HEADERS);
            assertThat(h.status()).isEqualTo("200");
            Frame end = c.await(f -> f.type() == Http2FrameTypes.RST_STREAM || f.type() == Http2FrameTypes.DATA);
            assertThat(end.type()).as("%s", end).isEqualTo(Http2FrameTypes.RST_STREAM);
            assertThat(end.code()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
            othersAreServed();
        }
    }
}
