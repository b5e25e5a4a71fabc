package io.ferry.stream;

import io.ferry.tunnel.Tunnel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.List;

/**
 * The byte relay of a session once its upstream is connected: the {@link Tunnel} (bytes exact,
 * read-after-write backpressure, half-close passed on with proxy_half_close, idle proxy_timeout).
 */
final class StreamRelay {
    private final Tunnel tunnel;

    private StreamRelay(Tunnel tunnel) {
        this.tunnel = tunnel;
    }

    /**
     * {@code early}: client bytes read before the upstream was connected (TLS reads ahead), sent first;
     * {@code clientInputDone}: the client already shut its write side, passed on after them.
     */
    static StreamRelay open(Channel client, Channel upstream, StreamServer server, List<ByteBuf> early,
                            boolean clientInputDone, Runnable onEnd) {
        Tunnel t = Tunnel.install(client, upstream, server.proxyTimeout(), server.halfClose(), onEnd);
        for (ByteBuf b : early) {
            upstream.write(b);
        }
        upstream.flush();
        t.start();
        if (clientInputDone) {
            client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
        return new StreamRelay(t);
    }

    /** The tunnel, or null when the kernel splices the bytes. */
    Tunnel tunnel() {
        return tunnel;
    }

    /** True when bytes never enter the JVM (so they are not counted). */
    boolean spliced() {
        return false;
    }
}
