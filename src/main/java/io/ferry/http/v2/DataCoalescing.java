package io.ferry.http.v2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;

/**
 * The DATA frames of one stream that one read of the connection brought become one, as nginx reads a
 * request body into one buffer per socket read: an unbuffered body then goes upstream one chunk per
 * read, not one per frame. Flow control is kept exact: the joined frame carries the padding of its parts.
 */
final class DataCoalescing extends ChannelInboundHandlerAdapter {
    /** The most padding one frame may declare (RFC 9113, 6.1): parts with more are not joined. */
    private static final int MAX_PADDING = 256;

    /** The first frame of a run; the later ones are added to {@code joined}. */
    private Http2DataFrame held;
    private CompositeByteBuf joined;
    private boolean endStream;
    private int padding;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2DataFrame d && held != null && !endStream
                && d.stream() == held.stream() && padding + d.padding() <= MAX_PADDING) {
            if (joined == null) {
                joined = ctx.alloc().compositeBuffer().addComponent(true, held.content().retain());
            }
            joined.addComponent(true, d.content().retain());
            endStream = d.isEndStream();
            padding += d.padding();
            d.release();
            return;
        }
        release(ctx);
        if (msg instanceof Http2DataFrame d) {
            held = d;
            endStream = d.isEndStream();
            padding = d.padding();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        release(ctx);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release(ctx);
        ctx.fireChannelInactive();
    }

    private void release(ChannelHandlerContext ctx) {
        if (held == null) {
            return;
        }
        Http2DataFrame out = held;
        if (joined != null) {
            ByteBuf content = joined;
            out = new DefaultHttp2DataFrame(content, endStream, padding).stream(held.stream());
            held.release();
        }
        held = null;
        joined = null;
        ctx.fireChannelRead(out);
    }
}
