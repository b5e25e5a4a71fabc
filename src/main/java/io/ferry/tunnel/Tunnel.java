package io.ferry.tunnel;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A two-channel byte pipe with backpressure: each side reads its next chunk only after the previous
 * one was written to the other side, so memory stays bounded by one chunk per direction whatever
 * the speed difference. A half-close on one side is passed on; the tunnel closes when both
 * directions are done or nothing moved for the idle timeout. Both channels share one event loop.
 */
public final class Tunnel {
    private final Channel a;
    private final Channel b;
    private final Runnable onClose;
    private Relay fromA;
    private Relay fromB;
    private boolean aInputDone;
    private boolean bInputDone;
    private boolean closed;
    private Runnable whenQuiet;

    private Tunnel(Channel a, Channel b, Runnable onClose) {
        this.a = a;
        this.b = b;
        this.onClose = onClose;
    }

    /** A tunnel with no message boundaries to respect (plain TCP). */
    public static Tunnel install(Channel a, Channel b, Duration idleTimeout, Runnable onClose) {
        return install(a, b, idleTimeout, StreamObserver.NONE, StreamObserver.NONE, onClose);
    }

    /**
     * Adds the relay handlers at the end of both pipelines; call {@link #start()} once whatever
     * precedes them (HTTP codecs) has been removed.
     */
    public static Tunnel install(Channel a, Channel b, Duration idleTimeout, StreamObserver observeA,
                                 StreamObserver observeB, Runnable onClose) {
        Tunnel t = new Tunnel(a, b, onClose);
        long idle = idleTimeout.toMillis();
        t.fromA = new Relay(t, b, observeA);
        t.fromB = new Relay(t, a, observeB);
        a.pipeline().addLast("tunnel-idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        a.pipeline().addLast("tunnel", t.fromA);
        b.pipeline().addLast("tunnel-idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        b.pipeline().addLast("tunnel", t.fromB);
        a.closeFuture().addListener(f -> t.closeAll());
        b.closeFuture().addListener(f -> t.closeAll());
        return t;
    }

    public void start() {
        a.read();
        b.read();
    }

    public Channel first() {
        return a;
    }

    public Channel second() {
        return b;
    }

    /**
     * Stops reading in both directions as soon as each stands at a message boundary (per its
     * observer), then runs {@code action} once on the tunnel's event loop.
     */
    public void drain(Runnable action) {
        a.eventLoop().execute(() -> {
            if (closed) {
                return;
            }
            whenQuiet = action;
            fromA.drain();
            fromB.drain();
            quietChanged();
        });
    }

    void quietChanged() {
        if (whenQuiet != null && fromA.quiet() && fromB.quiet() && !closed) {
            Runnable r = whenQuiet;
            whenQuiet = null;
            r.run();
        }
    }

    /** The side that ended its input: pass the end on to the peer, then close once both ends are done. */
    void inputDone(Channel side) {
        if (side == a) {
            aInputDone = true;
        } else {
            bInputDone = true;
        }
        Channel peer = side == a ? b : a;
        if (aInputDone && bInputDone) {
            closeAll();
        } else if (peer instanceof DuplexChannel duplex && peer.pipeline().get(SslHandler.class) == null) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> duplex.shutdownOutput());
        } else {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Closes both sides after whatever is already queued for them has been flushed. */
    public void closeAll() {
        flushAndClose(a);
        flushAndClose(b);
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }

    private static void flushAndClose(Channel c) {
        if (c.isActive()) {
            c.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            c.close();
        }
    }
}
