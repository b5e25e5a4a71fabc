package io.ferry.websocket;

import io.ferry.http.SendTimeout;
import io.ferry.tunnel.Tunnel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * After a 101, both connections stop speaking HTTP: the HTTP handlers are removed and the bytes
 * flow through a {@link Tunnel} untouched (frames are never decoded on the relay path, only their
 * headers followed, so a shutdown can end the session between frames). Bytes the codecs had
 * already buffered are passed on, not lost. What stays per tunnel is the transport (TLS, the byte
 * counters for the log line) and one relay handler per side; the tunnel's timer keeps send_timeout.
 */
public final class WebSocketTunnel {
    /** Close code 1001 (Going Away). */
    private static final byte[] GOING_AWAY = {0x03, (byte) 0xE9};

    private WebSocketTunnel() {
    }

    /** {@code clientCodec}: the HTTP codec class of the client pipeline (it and what follows it are removed). */
    public static Tunnel open(Channel client, Class<? extends ChannelHandler> clientCodec, Channel upstream,
                              List<ByteBuf> earlyFromUpstream, Duration idleTimeout, Runnable onClose) {
        FrameBoundary fromUpstream = new FrameBoundary();
        FrameBoundary fromClient = new FrameBoundary();
        Tunnel tunnel = Tunnel.install(client, upstream, idleTimeout, fromClient, fromUpstream, onClose);
        // What the client sent right behind its handshake is the new protocol's: it goes upstream
        // once the upstream connection no longer speaks HTTP.
        ByteBuf earlyFromClient = client.pipeline().get(clientCodec) instanceof io.ferry.http.ServerCodec codec
                ? codec.takeUndecoded() : null;
        // send_timeout goes on with the tunnel's own timer rather than a handler and timer of its own;
        // removed ahead of the HTTP layer, for the same reason as the codec ahead of what follows it
        SendTimeout sendTimeout = client.pipeline().get(SendTimeout.class);
        if (sendTimeout != null) {
            tunnel.sendTimeoutToFirst(sendTimeout.timeout());
            client.pipeline().remove(sendTimeout);
        }
        stripHttp(client.pipeline(), clientCodec);
        // Ahead of anything the upstream codec still holds, which its removal hands to the relay.
        for (ByteBuf buf : earlyFromUpstream) {
            fromUpstream.observe(buf);
            client.write(buf);
        }
        client.flush();
        stripHttp(upstream.pipeline(), HttpClientCodec.class);
        if (earlyFromClient != null) {
            fromClient.observe(earlyFromClient);
            upstream.writeAndFlush(earlyFromClient);
        }
        tunnel.start();
        return tunnel;
    }

    /**
     * Ends the session as a server going away would: once both directions stand between frames,
     * a close frame with 1001 goes to the client (unmasked) and to the backend (masked, as a client
     * must), then both connections close.
     */
    public static void goingAway(Tunnel tunnel) {
        tunnel.drain(() -> {
            tunnel.first().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) 0x88, 0x02, GOING_AWAY[0], GOING_AWAY[1]}));
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            tunnel.second().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) 0x88, (byte) 0x82,
                    mask[0], mask[1], mask[2], mask[3], (byte) (GOING_AWAY[0] ^ mask[0]), (byte) (GOING_AWAY[1] ^ mask[1])}));
            // Give both ends a moment to answer the close before the sockets go.
            tunnel.first().eventLoop().schedule(tunnel::closeAll, 200, TimeUnit.MILLISECONDS);
        });
    }

    /**
     * Removes the codec and every handler after it (the HTTP layer), leaving transport, TLS and the relay.
     * In pipeline order, codec first: a removed context keeps its links to its neighbours of the moment,
     * so each one removed later links only to handlers that stay, and whatever still holds a removed
     * context (the exchange kept for the log line holds its handler's) does not hold the HTTP layer too.
     */
    private static void stripHttp(ChannelPipeline pipeline, Class<? extends ChannelHandler> codec) {
        List<ChannelHandler> after = new ArrayList<>();
        boolean afterCodec = false;
        for (String name : pipeline.names()) {
            ChannelHandler h = pipeline.get(name);
            if (h == null) {
                continue;
            }
            if (codec.isInstance(h)) {
                afterCodec = true;
            } else if (afterCodec && !name.startsWith("tunnel")) {
                after.add(h);
            }
        }
        pipeline.remove(codec);
        for (ChannelHandler h : after) {
            pipeline.remove(h);
        }
    }
}
