package io.ferry.tunnel;

import io.ferry.net.OutputProgress;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.FileRegion;
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
    /** The relay of the other direction, which writes to this relay's channel. */
    Relay reverse;
    /** Read, not yet flushed to the peer. */
    private boolean writing;
    /** A spliced region on its way to the peer. */
    private boolean splicing;
    /** Waits for the peer to take more before reading again. */
    private boolean blocked;
    private boolean draining;
    /** How long bytes may wait for the peer with no progress (0: for ever), and what was seen of them last. */
    private long sendNanos;
    private long progressAt;
    private OutputProgress sent;

    Relay(Tunnel tunnel, Channel peer, StreamObserver observer) {
        this.tunnel = tunnel;
        this.peer = peer;
        this.observer = observer;
    }

    void sendTimeout(long nanos) {
        sendNanos = nanos;
        sent = nanos == 0 ? null : new OutputProgress();
    }

    /**
     * The deadline of bytes waiting for the peer, or {@code next} if it comes later or none wait.
     * Progress is what the peer's outbound buffer took since the last look, as
     * {@link io.netty.handler.timeout.IdleStateHandler} with observeOutput judges it.
     */
    long sendDeadline(long now, long next) {
        if (sent == null) {
            return next;
        }
        ChannelOutboundBuffer out = OutputProgress.waiting(peer);
        if (out == null) {
            sent.forget();
            return next;
        }
        if (sent.moved(out)) {
            progressAt = now;
        }
        return Math.min(next, progressAt + sendNanos);
    }

    void drain() {
        draining = true;
    }

    /** Draining and standing at a boundary with nothing in flight: no byte of this direction moves any more. */
    boolean quiet() {
        return draining && !writing && !splicing && observer.atBoundary();
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
        tunnel.activity();
        if (msg instanceof ByteBuf buf) {
            observer.observe(buf);
        }
        if (msg instanceof FileRegion) {
            // spliced bytes wait in a pipe that must be empty before the next splice: the next read
            // follows this write's completion (the splicing head asks no read-complete of its own)
            splicing = true;
            peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                splicing = false;
                if (!f.isSuccess()) {
                    tunnel.closeAll();
                } else if (quiet()) {
                    tunnel.quietChanged();
                } else {
                    ctx.channel().read();
                }
            });
            if (sent != null) {
                watchSend();
            }
            return;
        }
        writing = true;
        // A failed write reaches the peer's own relay as an exception, which closes the tunnel: no
        // promise or listener per message.
        peer.write(msg, peer.voidPromise());
    }

    /**
     * One flush per read; the next read only while the peer takes more (its outbound buffer under the
     * high-water mark), else once it drains: that is the backpressure, at most a write buffer per direction.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!writing) {
            return;
        }
        peer.flush();
        writing = false;
        if (sent != null) {
            watchSend();
        }
        if (quiet()) {
            tunnel.quietChanged();
        } else if (peer.isWritable()) {
            ctx.read();
        } else {
            blocked = true;
        }
    }

    /** What the peer did not take at once: its progress from here on is what send_timeout counts. */
    private void watchSend() {
        ChannelOutboundBuffer out = OutputProgress.waiting(peer);
        if (out != null) {
            long now = System.nanoTime();
            sent.remember(out);
            progressAt = now;
            tunnel.checkBy(now + sendNanos);
        }
    }

    /** This relay's channel drained below its low-water mark: the reverse direction, which writes to it, reads again. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && reverse != null && reverse.blocked) {
            reverse.blocked = false;
            if (reverse.quiet()) {
                tunnel.quietChanged();
            } else {
                peer.read();
            }
        }
        ctx.fireChannelWritabilityChanged();
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
