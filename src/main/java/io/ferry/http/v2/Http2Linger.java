package io.ferry.http.v2;

import io.ferry.http.conn.ConnectionSettings;
import io.ferry.http.conn.LingeringClose;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * nginx's lingering close of an HTTP/2 connection that ends gracefully (GOAWAY sent, its streams done):
 * frames the client sent before it read the GOAWAY (a PING, a WINDOW_UPDATE) would otherwise arrive at a
 * closed socket, whose reset destroys the last response and the GOAWAY in the client's buffers. Placed
 * under the frame codec, it drops them unread until the client closes or lingering_timeout passes.
 */
final class Http2Linger extends ChannelInboundHandlerAdapter {
    private final ConnectionSettings settings;
    private LingeringClose lingering;

    private Http2Linger(ConnectionSettings settings) {
        this.settings = settings;
    }

    /** Closes the connection of {@code ctx} once what was written reached the socket, lingering unless lingering_close is off. */
    static void close(ChannelHandlerContext ctx, ConnectionSettings settings) {
        if (settings.lingeringClose() == ConnectionSettings.Lingering.OFF) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (ctx.channel().isActive() && ctx.pipeline().get("h2") != null && ctx.pipeline().get(Http2Linger.class) == null) {
                ctx.pipeline().addBefore("h2", "h2-linger", new Http2Linger(settings));
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        lingering = LingeringClose.start(ctx, settings);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        if (lingering != null) {
            lingering.read();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (lingering != null) {
            lingering.cancel();
        }
        ctx.fireChannelInactive();
    }
}
