package io.ferry.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;

/**
 * Counts the bytes of one connection (above TLS, below HTTP or the stream relay), for $bytes_sent,
 * $request_length, the stream byte variables, metrics and stub_status; it stays in place when the
 * connection becomes a tunnel.
 */
public final class TrafficCounter extends ChannelDuplexHandler {
    private long in;
    private long out;
    private Runnable onFirstBytes;

    public long in() {
        return in;
    }

    public long out() {
        return out;
    }

    /** Counts bytes that did not pass through a pipeline holding this counter (a UDP session's datagrams). */
    public void add(long bytesIn, long bytesOut) {
        in += bytesIn;
        out += bytesOut;
    }

    /** Called (once) when bytes arrive while the connection was idle: stub_status's "Reading". */
    public void onNextBytes(Runnable r) {
        onFirstBytes = r;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            in += b.readableBytes();
        } else if (msg instanceof ByteBufHolder h) {
            // an HTTP/2 stream's DATA
            in += h.content().readableBytes();
        } else if (msg instanceof FileRegion f) {
            // what a spliced relay took from the socket, bytes that stayed in the kernel
            in += f.count();
        }
        Runnable r = onFirstBytes;
        if (r != null) {
            onFirstBytes = null;
            r.run();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            out += b.readableBytes();
        } else if (msg instanceof ByteBufHolder h) {
            out += h.content().readableBytes();
        } else if (msg instanceof FileRegion f) {
            out += f.count();
        }
        ctx.write(msg, promise);
    }
}
