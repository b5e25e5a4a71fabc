package io.ferry.stream;

import io.ferry.proxy.UpstreamTls;
import io.ferry.upstream.Peer;
import io.ferry.variable.ConnectionScope;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * proxy_ssl on: the stream's upstream connection speaks TLS, with http's proxy_ssl_* machinery. The
 * relay starts once the handshake is done; proxy_connect_timeout bounds the handshake, as in nginx.
 */
final class StreamProxySsl {
    static final String NAME = "upstream-ssl";
    /** Why no handshake could start: a client certificate named by variables did not load. */
    private static final AttributeKey<String> FAILURE = AttributeKey.valueOf("ferry.upstreamSsl");

    private StreamProxySsl() {
    }

    /** The handshake's handler, last in the upstream's pipeline, so the traffic counters see the bytes on the wire. */
    static void install(Channel ch, StreamServer server, ConnectionScope scope, Peer peer) {
        SslHandler ssl;
        try {
            // by default the name is the host of proxy_pass's address (nginx's u->ssl_name)
            ssl = UpstreamTls.handler(server.proxySsl(), scope, ch.alloc(), server.upstream().name(),
                    peer.server().address());
        } catch (IOException e) {
            ch.attr(FAILURE).set(e.getMessage());
            return;
        }
        ssl.setHandshakeTimeoutMillis(server.connectTimeout().toMillis());
        ch.pipeline().addLast(NAME, ssl);
        ch.pipeline().addLast(NAME + "-failure", new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // a failed handshake is reported by its future, with nginx's words; later errors go on to the relay
                if (ssl.handshakeFuture().isSuccess()) {
                    ctx.fireExceptionCaught(cause);
                }
            }
        });
    }

    /** Runs {@code ready} once the handshake succeeded, else {@code failed} with nginx's words for why. */
    static void afterHandshake(Channel ch, Runnable ready, Consumer<String> failed) {
        SslHandler ssl = (SslHandler) ch.pipeline().get(NAME);
        if (ssl == null) {
            failed.accept(ch.attr(FAILURE).get());
            return;
        }
        ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                ready.run();
                return;
            }
            String refused = UpstreamTls.refusal(f.cause());
            failed.accept(refused != null ? refused
                    : f.cause() instanceof SslHandshakeTimeoutException ? "upstream timed out (110: Connection timed out)"
                    : "SSL_do_handshake() failed (" + f.cause().getMessage() + ")");
        });
    }
}
