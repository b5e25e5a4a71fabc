package io.ferry.websocket;

import io.ferry.tunnel.Tunnel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerCodec;
import java.time.Duration;
import java.util.List;

/**
 * After a 101, both connections stop speaking HTTP: the HTTP handlers are removed and the bytes
 * flow through a {@link Tunnel} untouched (frames are never decoded on the relay path). Bytes the
 * codecs had already buffered are passed on, not lost.
 */
public final class WebSocketTunnel {
    private WebSocketTunnel() {
    }

    public static Tunnel open(Channel client, Channel upstream, List<ByteBuf> earlyFromUpstream,
                              Duration idleTimeout, Runnable onClose) {
        Tunnel tunnel = Tunnel.install(client, upstream, idleTimeout, onClose);
        stripHttp(client.pipeline(), HttpServerCodec.class);
        // Ahead of anything the upstream codec still holds, which its removal hands to the relay.
        for (ByteBuf buf : earlyFromUpstream) {
            client.write(buf);
        }
        client.flush();
        stripHttp(upstream.pipeline(), HttpClientCodec.class);
        tunnel.start();
        return tunnel;
    }

    /** Removes the codec and every handler after it (the HTTP layer), leaving transport, TLS and the relay. */
    private static void stripHttp(ChannelPipeline pipeline, Class<? extends ChannelHandler> codec) {
        boolean afterCodec = false;
        for (String name : pipeline.names()) {
            ChannelHandler h = pipeline.get(name);
            if (h == null) {
                continue;
            }
            if (codec.isInstance(h)) {
                afterCodec = true;
            } else if (afterCodec && !name.startsWith("tunnel")) {
                pipeline.remove(h);
            }
        }
        pipeline.remove(codec);
    }
}
