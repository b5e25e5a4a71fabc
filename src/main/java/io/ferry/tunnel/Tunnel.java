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
 * directions are done or nothing moved for the idle timeout.
 */
public final class Tunnel {
    private final Channel a;
    private final Channel b;
    private boolean aInputDone;
    private boolean bInputDone;
    private final Runnable onClose;

    private Tunnel(Channel a, Channel b, Runnable onClose) {
        this.a = a;
        this.b = b;
        this.onClose = onClose;
    }

    /**
     * Adds the relay handlers at the end of both pipelines; call {@link #start()} once whatever
     * precedes them (HTTP codecs) has been removed. Both channels must share one event loop.
     */
    public static Tunnel install(Channel a, Channel b, Duration idleTimeout, Runnable onClose) {
        Tunnel t = new Tunnel(a, b, onClose);
        long idle = idleTimeout.toMillis();
        a.pipeline().addLast("tunnel-idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        a.pipeline().addLast("tunnel", new Relay(t, b));
        b.pipeline().addLast("tunnel-idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        b.pipeline().addLast("tunnel", new Relay(t, a));
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
        Runnable r = onCloseOnce();
        if (r != null) {
            r.run();
        }
    }

    private boolean closed;

    private Runnable onCloseOnce() {
        if (closed) {
            return null;
        }
        closed = true;
        return onClose;
    }

    private static void flushAndClose(Channel c) {
        if (c.isActive()) {
            c.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            c.close();
        }
    }
}
