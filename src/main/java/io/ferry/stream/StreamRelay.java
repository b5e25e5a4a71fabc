package io.ferry.stream;

import io.ferry.net.Pacer;
import io.ferry.tunnel.Tunnel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The byte relay of a session once its upstream is connected: the {@link Tunnel} (bytes exact,
 * read-after-write backpressure, half-close passed on with proxy_half_close, idle proxy_timeout),
 * its bytes moved by splice(2) ({@link SpliceRelay}) when both sockets are epoll's and nothing on
 * the way needs to see them (TLS, rate limits).
 */
final class StreamRelay {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

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
        if (!needsBytes(client) && !needsBytes(upstream) && SpliceRelay.possible(client, upstream)) {
            try {
                SpliceRelay.install(client, upstream);
                LOG.debug("stream session relayed by splice(2), client: {}, upstream: {}", client.remoteAddress(), upstream.remoteAddress());
            } catch (IOException e) {
                // no pipe to be had (descriptors run out): the bytes go through the JVM
                LOG.debug("no pipe for splice(2) ({}), client: {}", e.getMessage(), client.remoteAddress());
            }
        }
        t.start();
        if (clientInputDone) {
            client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
        return new StreamRelay(t);
    }

    Tunnel tunnel() {
        return tunnel;
    }

    private static boolean needsBytes(Channel ch) {
        return ch.pipeline().get(SslHandler.class) != null || ch.pipeline().get(Pacer.class) != null;
    }
}
