package io.ferry.gateway;

import io.ferry.http.UpstreamTiming;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * The bytes one attempt exchanges with its peer ($upstream_bytes_sent/_received), counted above TLS
 * as nginx counts them; a connection keeps this handler for its life and counts for the attempt
 * that uses it now.
 */
final class AttemptTraffic extends ChannelDuplexHandler {
    static final String NAME = "upstream-traffic";

    private UpstreamTiming timing;

    /** Whose bytes these are from now on; null while no attempt uses the connection. */
    void count(UpstreamTiming timing) {
        this.timing = timing;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (timing != null && msg instanceof ByteBuf b) {
            timing.received(b.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (timing != null && msg instanceof ByteBuf b) {
            timing.sent(b.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
