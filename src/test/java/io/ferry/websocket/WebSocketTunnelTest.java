package io.ferry.websocket;

import static io.ferry.websocket.FrameBoundaryTest.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.tunnel.Tunnel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A graceful stop ends a WebSocket tunnel with close code 1001 only where both directions stand between frames: the
 * frame in flight reaches the client whole, the close frame follows it, and the backend gets a masked close.
 */
class WebSocketTunnelTest {
    private static final byte[] CLOSE_1001_TO_CLIENT = {(byte) 0x88, 0x02, 0x03, (byte) 0xE9};

    private final EmbeddedChannel client = new EmbeddedChannel(new HttpServerCodec());
    private final EmbeddedChannel upstream = new EmbeddedChannel(new HttpClientCodec());
    private final AtomicInteger closed = new AtomicInteger();
    private Tunnel tunnel;

    @AfterEach
    void release() {
        client.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    private void open() {
        tunnel = WebSocketTunnel.open(client, HttpServerCodec.class, upstream, List.of(), Duration.ofSeconds(60),
                closed::incrementAndGet);
        assertThat(client.pipeline().get(HttpServerCodec.class)).isNull();
        assertThat(upstream.pipeline().get(HttpClientCodec.class)).isNull();
    }

    /** Everything the channel has written so far, as one array. */
    private static byte[] written(EmbeddedChannel ch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            out.writeBytes(ByteBufUtil.getBytes(b));
            b.release();
        }
        return out.toByteArray();
    }

    @Test
    void goingAwayWaitsForTheFrameInFlightAndThenClosesBothSides() {
        open();
        byte[] big = frame(0x2, false, 70_000); // 64-bit length form, server to client: unmasked
        int cut = 30_000;
        upstream.writeInbound(Unpooled.wrappedBuffer(big, 0, cut));
        assertThat(written(client)).isEqualTo(Arrays.copyOfRange(big, 0, cut));

        WebSocketTunnel.goingAway(tunnel);
        client.runPendingTasks();
        assertThat(written(client)).as("nothing may be sent inside the frame").isEmpty();
        assertThat(written(upstream)).isEmpty();

        upstream.writeInbound(Unpooled.wrappedBuffer(big, cut, big.length - cut));
        byte[] toClient = written(client);
        assertThat(Arrays.copyOfRange(toClient, 0, big.length - cut)).isEqualTo(Arrays.copyOfRange(big, cut, big.length));
        assertThat(Arrays.copyOfRange(toClient, big.length - cut, toClient.length)).isEqualTo(CLOSE_1001_TO_CLIENT);

        byte[] toUpstream = written(upstream);
        assertThat(toUpstream).hasSize(8);
        assertThat(toUpstream[0]).isEqualTo((byte) 0x88);
        assertThat(toUpstream[1]).as("masked, 2 payload bytes").isEqualTo((byte) 0x82);
        int code = ((toUpstream[6] ^ toUpstream[2]) & 0xff) << 8 | ((toUpstream[7] ^ toUpstream[3]) & 0xff);
        assertThat(code).isEqualTo(1001);

        assertThat(client.isOpen()).as("both ends get a moment to answer the close").isTrue();
        client.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        assertThat(client.isOpen()).isFalse();
        assertThat(upstream.isOpen()).isFalse();
        assertThat(closed).hasValue(1);
    }

    @Test
    void aClientFrameInFlightIsAlsoWaitedFor() {
        open();
        byte[] fromClient = frame(0x1, true, 300); // 16-bit length form, client to server: masked
        client.writeInbound(Unpooled.wrappedBuffer(fromClient, 0, 3)); // cut inside the extended length
        WebSocketTunnel.goingAway(tunnel);
        client.runPendingTasks();
        assertThat(written(upstream)).isEqualTo(Arrays.copyOfRange(fromClient, 0, 3));
        assertThat(written(client)).isEmpty();

        client.writeInbound(Unpooled.wrappedBuffer(fromClient, 3, fromClient.length - 3));
        byte[] toUpstream = written(upstream);
        assertThat(Arrays.copyOfRange(toUpstream, 0, fromClient.length - 3))
                .isEqualTo(Arrays.copyOfRange(fromClient, 3, fromClient.length));
        assertThat(toUpstream).hasSize(fromClient.length - 3 + 8);
        assertThat(written(client)).isEqualTo(CLOSE_1001_TO_CLIENT);
    }

    @Test
    void betweenFramesTheCloseGoesOutAtOnce() {
        open();
        byte[] small = frame(0x1, false, 5);
        upstream.writeInbound(Unpooled.wrappedBuffer(small));
        assertThat(written(client)).isEqualTo(small);
        WebSocketTunnel.goingAway(tunnel);
        client.runPendingTasks();
        assertThat(written(client)).isEqualTo(CLOSE_1001_TO_CLIENT);
        assertThat(written(upstream)).hasSize(8);
    }

    /** A backend that echoes the close (as RFC 6455 asks) must not make the client get a second one. */
    @Test
    void afterTheCloseNeitherEndsAnswerIsRelayed() {
        open();
        WebSocketTunnel.goingAway(tunnel);
        client.runPendingTasks();
        assertThat(written(client)).isEqualTo(CLOSE_1001_TO_CLIENT);
        assertThat(written(upstream)).hasSize(8);

        upstream.writeInbound(Unpooled.wrappedBuffer(CLOSE_1001_TO_CLIENT));
        client.writeInbound(Unpooled.wrappedBuffer(frame(0x8, true, 2)));
        assertThat(written(client)).as("nothing after the close").isEmpty();
        assertThat(written(upstream)).as("nothing after the close").isEmpty();
    }

    @Test
    void bytesTheUpstreamSentBehindIts101CountTowardsTheFrameInFlight() {
        byte[] big = frame(0x2, false, 1000);
        tunnel = WebSocketTunnel.open(client, HttpServerCodec.class, upstream,
                List.of(Unpooled.wrappedBuffer(big, 0, 10)), Duration.ofSeconds(60), closed::incrementAndGet);
        assertThat(written(client)).isEqualTo(Arrays.copyOfRange(big, 0, 10));
        WebSocketTunnel.goingAway(tunnel);
        client.runPendingTasks();
        assertThat(written(client)).isEmpty();
        upstream.writeInbound(Unpooled.wrappedBuffer(big, 10, big.length - 10));
        byte[] toClient = written(client);
        assertThat(toClient).hasSize(big.length - 10 + CLOSE_1001_TO_CLIENT.length);
        assertThat(Arrays.copyOfRange(toClient, big.length - 10, toClient.length)).isEqualTo(CLOSE_1001_TO_CLIENT);
    }

    /**
     * An open tunnel keeps, per side, only its relay: the HTTP layer and send_timeout's handler (whose
     * timeout the tunnel's timer takes over) are gone, and the context of the removed connection handler,
     * which the exchange kept for the log line still holds, links only to handlers that stay, not to the
     * removed codec and what it buffered.
     */
    @Test
    void anOpenTunnelKeepsOnlyItsRelaysAndNothingRemovedLinksToTheCodec() throws Exception {
        EmbeddedChannel client = new EmbeddedChannel();
        client.pipeline().addLast("send-timeout", new io.ferry.http.SendTimeout(Duration.ofSeconds(60)));
        client.pipeline().addLast("http", new HttpServerCodec());
        client.pipeline().addLast("filters", new io.netty.channel.ChannelDuplexHandler());
        client.pipeline().addLast("handler", new io.netty.channel.ChannelInboundHandlerAdapter());
        io.netty.channel.ChannelHandlerContext handler = client.pipeline().context("handler");
        EmbeddedChannel upstream = new EmbeddedChannel();
        upstream.pipeline().addLast("http", new HttpClientCodec());
        upstream.pipeline().addLast("idle", new io.netty.handler.timeout.IdleStateHandler(60, 60, 0));
        upstream.pipeline().addLast("upgraded", new io.netty.channel.ChannelInboundHandlerAdapter());
        try {
            WebSocketTunnel.open(client, HttpServerCodec.class, upstream, List.of(), Duration.ofSeconds(60),
                    closed::incrementAndGet);
            assertThat(client.pipeline().names()).containsExactly("tunnel", "DefaultChannelPipeline$TailContext#0");
            assertThat(upstream.pipeline().names()).containsExactly("tunnel", "DefaultChannelPipeline$TailContext#0");
            assertThat(handler.isRemoved()).isTrue();
            for (String link : List.of("prev", "next")) {
                java.lang.reflect.Field f = Class.forName("io.netty.channel.AbstractChannelHandlerContext").getDeclaredField(link);
                f.setAccessible(true);
                io.netty.channel.ChannelHandlerContext neighbour = (io.netty.channel.ChannelHandlerContext) f.get(handler);
                assertThat(neighbour.isRemoved()).as("the removed handler's %s context stays in the pipeline", link).isFalse();
            }
        } finally {
            client.finishAndReleaseAll();
            upstream.finishAndReleaseAll();
        }
    }
}
