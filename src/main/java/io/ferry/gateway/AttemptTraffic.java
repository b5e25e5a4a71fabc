package io.ferry.gateway;

import io.ferry.http.UpstreamTiming;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * The bytes one attempt exchanges with its peer ($upstream_bytes_sent/_received), counted above TLS
 * as nginx counts them; a pooled connection carries one of these per attempt, not one for its life.
 */
final class AttemptTraffic extends ChannelDuplexHandler {
    static final String NAME = "upstream-traffic";

    private final UpstreamTiming timing;

    AttemptTraffic(UpstreamTiming timing) {
        this.timing = timing;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            timing.received(b.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            timing.sent(b.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
