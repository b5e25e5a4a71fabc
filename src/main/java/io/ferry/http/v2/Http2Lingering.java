package io.ferry.http.v2;

import io.ferry.http.conn.ConnectionSettings;
import io.ferry.http.conn.LingeringClose;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * nginx's lingering close of an HTTP/2 connection (unless lingering_close is off): once the last
 * answer is on the wire our side is shut and what the client still sends (a PING, a frame it wrote
 * before it saw the GOAWAY) is read and dropped below the frame codec, so the client's late bytes do
 * not reset the connection under an answer it has not read yet.
 */
final class Http2Lingering extends ChannelInboundHandlerAdapter {
    private final ConnectionSettings close;
    private LingeringClose lingering;

    private Http2Lingering(ConnectionSettings close) {
        this.close = close;
    }

    /** Ends the connection of {@code ctx} (a handler above the codec) after what was written is sent. */
    static void close(ChannelHandlerContext ctx, ConnectionSettings close) {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (close.lingeringClose() == ConnectionSettings.Lingering.OFF || !ctx.channel().isActive()
                    || ctx.pipeline().get("h2") == null || ctx.pipeline().get("h2-lingering") != null) {
                ctx.close();
                return;
            }
            ctx.pipeline().addBefore("h2", "h2-lingering", new Http2Lingering(close));
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        lingering = LingeringClose.start(ctx, close);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        if (lingering != null) {
            lingering.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (lingering != null) {
            lingering.cancel();
        }
        ctx.fireChannelInactive();
    }
}
