package io.ferry.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One direction of a {@link Tunnel}: what this channel reads is written to the peer. */
final class Relay extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

    private final Tunnel tunnel;
    private final Channel peer;
    private final StreamObserver observer;
    private boolean writing;
    private boolean draining;
    /** How long a write to the peer may make no progress (0: for ever), and what was seen of it last. */
    private long sendNanos;
    private long progressAt;
    private long pendingSeen;
    private long flushSeen;

    Relay(Tunnel tunnel, Channel peer, StreamObserver observer) {
        this.tunnel = tunnel;
        this.peer = peer;
        this.observer = observer;
    }

    void sendTimeout(long nanos) {
        sendNanos = nanos;
    }

    /**
     * The deadline of the write in flight to the peer, or {@code next} if it comes later or none is
     * pending. Progress is what the peer's outbound buffer took since the last look, as
     * {@link io.netty.handler.timeout.IdleStateHandler} with observeOutput judges it.
     */
    long sendDeadline(long now, long next) {
        if (!writing || sendNanos == 0) {
            return next;
        }
        ChannelOutboundBuffer out = peer.unsafe().outboundBuffer();
        if (out != null && (out.totalPendingWriteBytes() != pendingSeen || out.currentProgress() != flushSeen)) {
            pendingSeen = out.totalPendingWriteBytes();
            flushSeen = out.currentProgress();
            progressAt = now;
        }
        return Math.min(next, progressAt + sendNanos);
    }

    void drain() {
        draining = true;
    }

    /** Draining and standing at a boundary with nothing in flight: no byte of this direction moves any more. */
    boolean quiet() {
        return draining && !writing && observer.atBoundary();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (quiet()) {
            // A read asked for before the drain came back with what follows the last message: the
            // tunnel's end has been (or is being) sent, so nothing after it may reach the peer
            // (a WebSocket end answering the close would give the other a second one).
            ReferenceCountUtil.release(msg);
            return;
        }
        long now = tunnel.activity();
        if (msg instanceof ByteBuf buf) {
            observer.observe(buf);
        }
        writing = true;
        progressAt = now;
        peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            writing = false;
            if (!f.isSuccess()) {
                tunnel.closeAll();
            } else if (quiet()) {
                tunnel.quietChanged();
            } else {
                ctx.channel().read();
            }
        });
        if (writing && sendNanos != 0) {
            // what the peer did not take at once: its progress from here on is what counts
            ChannelOutboundBuffer out = peer.unsafe().outboundBuffer();
            if (out != null) {
                pendingSeen = out.totalPendingWriteBytes();
                flushSeen = out.currentProgress();
            }
            tunnel.checkBy(now + sendNanos);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Reads are driven by write completion only.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            tunnel.inputDone(ctx.channel());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        tunnel.closeAll();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("tunnel side {} failed", ctx.channel(), cause);
        tunnel.closeAll();
    }
}
