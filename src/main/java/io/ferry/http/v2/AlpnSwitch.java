package io.ferry.http.v2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * After the TLS handshake, the protocol the client and the server agreed on by ALPN: "h2" turns the
 * connection into HTTP/2 (the SNI-chosen server's settings), anything else leaves HTTP/1.x. What
 * arrives before the handshake event is held so the winning codec reads it from its first byte.
 */
public final class AlpnSwitch extends ChannelInboundHandlerAdapter {
    private final Consumer<SslHandler> toHttp2;
    private final ArrayDeque<Object> held = new ArrayDeque<>(2);

    public AlpnSwitch(Consumer<SslHandler> toHttp2) {
        this.toHttp2 = toHttp2;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        held.add(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            if (done.isSuccess() && ssl != null && ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                toHttp2.accept(ssl);
            }
            ctx.fireUserEventTriggered(evt);
            Object msg;
            while ((msg = held.poll()) != null) {
                ctx.fireChannelRead(msg);
            }
            ctx.pipeline().remove(this);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        Object msg;
        while ((msg = held.poll()) != null) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }
}
