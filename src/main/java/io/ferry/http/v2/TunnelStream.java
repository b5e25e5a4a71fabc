package io.ferry.http.v2;

import io.ferry.tunnel.OutputEnd;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * An HTTP/2 stream turned tunnel (RFC 8441): DATA frames in are the tunnel's bytes, bytes out go as
 * DATA, the client's END_STREAM is the end of its input and the tunnel's end of output is END_STREAM.
 * Netty's stream channel returns window to the client only for frames read, and the relay reads the
 * next only once the previous was written on, so the client's sending is paced by the backend; a
 * write completes once the client's window let it out, so the backend is paced by the client.
 */
public final class TunnelStream extends ChannelDuplexHandler implements OutputEnd {
    private final ArrayDeque<Object> early;
    private boolean inputEnded;

    private TunnelStream(ArrayDeque<Object> early) {
        this.early = early == null ? new ArrayDeque<>() : early;
    }

    /**
     * Puts the tunnel's framing right above the stream codec of {@code stream} (which has answered the
     * extended CONNECT), with the frames the client sent meanwhile; returns the codec's class, which
     * the tunnel removes with everything of HTTP above it.
     */
    public static Class<? extends ChannelHandler> install(Channel stream) {
        StreamCodec codec = stream.pipeline().get(StreamCodec.class);
        stream.pipeline().addAfter("http", "tunnel-h2", new TunnelStream(codec.takeTunnelFrames()));
        return StreamCodec.class;
    }

    /** The frames that came before the relay asked for any are its first reads, one per read as a socket's. */
    @Override
    public void read(ChannelHandlerContext ctx) {
        Object next = early.poll();
        if (next == null) {
            ctx.read();
        } else {
            channelRead(ctx, next);
            if (!inputEnded) {
                ctx.fireChannelReadComplete();
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (inputEnded) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof Http2DataFrame data) {
            ByteBuf bytes = data.content();
            if (bytes.isReadable() || !data.isEndStream()) {
                ctx.fireChannelRead(bytes);
            } else {
                bytes.release();
            }
            if (data.isEndStream()) {
                ended(ctx);
            }
        } else if (msg instanceof Http2HeadersFrame headers && headers.isEndStream()) {
            // trailers carry nothing a tunnel passes on; their END_STREAM still ends the input
            ended(ctx);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void ended(ChannelHandlerContext ctx) {
        inputEnded = true;
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf bytes) {
            if (!bytes.isReadable()) {
                // the tunnel's flush markers: an empty DATA frame would be one more frame for nothing
                bytes.release();
                promise.setSuccess();
                return;
            }
            ctx.write(new DefaultHttp2DataFrame(bytes, false), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void endOutput(Channel side) {
        side.writeAndFlush(new DefaultHttp2DataFrame(true));
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
    }
}
