package io.ferry.tunnel;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A two-channel byte pipe with backpressure: each side reads its next chunk only while the other side
 * takes more (under its write buffer's high-water mark), so memory stays bounded by one write buffer
 * per direction whatever the speed difference. A half-close on one side is passed on (or, without half-close, ends the
 * tunnel once what it sent is flushed); the tunnel closes when both directions are done or nothing
 * moved for the idle timeout, or a write to a side with a send timeout made no progress for that long.
 * Both channels share one event loop, and a tunnel holds no more than its two relays and one timer
 * (idle sessions are many).
 */
public final class Tunnel {
    private static final Logger LOG = LoggerFactory.getLogger(Tunnel.class);
    private static final Logger LOG_ERROR = LoggerFactory.getLogger("io.ferry.error");

    private final Channel a;
    private final Channel b;
    private final Runnable onClose;
    private final boolean halfClose;
    private Relay fromA;
    private Relay fromB;
    private boolean aInputDone;
    private boolean bInputDone;
    private boolean closed;
    private Runnable whenQuiet;
    private long idleNanos;
    private long lastActivity;
    /** Cancelled on close: a pending timer holds the tunnel, and both channels with it, for the whole timeout. */
    private ScheduledFuture<?> timer;
    private long timerAt;

    private Tunnel(Channel a, Channel b, boolean halfClose, Runnable onClose) {
        this.a = a;
        this.b = b;
        this.halfClose = halfClose;
        this.onClose = onClose;
    }

    /** A tunnel with no message boundaries to respect (plain TCP), passing a half-close on. */
    public static Tunnel install(Channel a, Channel b, Duration idleTimeout, Runnable onClose) {
        return install(a, b, idleTimeout, true, onClose);
    }

    /** A plain TCP tunnel; without {@code halfClose} the first side to end its input ends the tunnel. */
    public static Tunnel install(Channel a, Channel b, Duration idleTimeout, boolean halfClose, Runnable onClose) {
        return install(a, b, idleTimeout, halfClose, StreamObserver.NONE, StreamObserver.NONE, onClose);
    }

    /**
     * Adds the relay handlers at the end of both pipelines; call {@link #start()} once whatever
     * precedes them (HTTP codecs) has been removed.
     */
    public static Tunnel install(Channel a, Channel b, Duration idleTimeout, StreamObserver observeA,
                                 StreamObserver observeB, Runnable onClose) {
        return install(a, b, idleTimeout, true, observeA, observeB, onClose);
    }

    private static Tunnel install(Channel a, Channel b, Duration idleTimeout, boolean halfClose,
                                  StreamObserver observeA, StreamObserver observeB, Runnable onClose) {
        Tunnel t = new Tunnel(a, b, halfClose, onClose);
        t.idleNanos = idleTimeout.toNanos();
        t.fromA = new Relay(t, b, observeA);
        t.fromB = new Relay(t, a, observeB);
        t.fromA.reverse = t.fromB;
        t.fromB.reverse = t.fromA;
        a.pipeline().addLast("tunnel", t.fromA);
        b.pipeline().addLast("tunnel", t.fromB);
        a.closeFuture().addListener(f -> t.closeAll());
        b.closeFuture().addListener(f -> t.closeAll());
        return t;
    }

    /**
     * A write to side a (the client, whose send_timeout this is) that makes no progress for
     * {@code timeout} ends the tunnel; set before {@link #start()}.
     */
    public void sendTimeoutToFirst(Duration timeout) {
        fromB.sendTimeout(timeout.toNanos());
    }

    public void start() {
        activity();
        schedule(lastActivity + idleNanos);
        a.read();
        b.read();
    }

    /** Bytes moved in either direction. */
    void activity() {
        lastActivity = System.nanoTime();
    }

    /** A deadline (a pending write's) that the timer, set for a later one, must not miss. */
    void checkBy(long deadline) {
        if (timer != null && timerAt - deadline > 0) {
            timer.cancel(false);
            schedule(deadline);
        }
    }

    private void schedule(long at) {
        timerAt = at;
        timer = a.eventLoop().schedule(this::check, at - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    /**
     * The idle timeout (proxy_read_timeout / proxy_timeout) and the send timeout: one timer for the
     * whole tunnel, re-armed for the nearest deadline left whenever bytes moved meanwhile.
     */
    private void check() {
        timer = null;
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        long idleAt = lastActivity + idleNanos;
        long sendAt = fromB.sendDeadline(now, Long.MAX_VALUE);
        if (idleAt - now <= 0) {
            closeAll();
        } else if (sendAt != Long.MAX_VALUE && sendAt - now <= 0) {
            LOG_ERROR.info("client timed out (110: Connection timed out) while proxying upgraded connection, client: {}",
                    a.remoteAddress());
            closeAll();
        } else {
            schedule(sendAt != Long.MAX_VALUE && sendAt - idleAt < 0 ? sendAt : idleAt);
        }
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
            LOG.debug("tunnel {} <-> {} draining: ends at the next message boundary of both directions", a, b);
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

    /**
     * The side that ended its input: pass the end on to the peer, then close once both ends are
     * done; without half-close, close both at once (after what is queued for them).
     */
    void inputDone(Channel side) {
        if (side == a) {
            aInputDone = true;
        } else {
            bInputDone = true;
        }
        Channel peer = side == a ? b : a;
        if (aInputDone && bInputDone || !halfClose) {
            closeAll();
        } else if (peer.pipeline().get(OutputEnd.class) != null) {
            peer.pipeline().get(OutputEnd.class).endOutput(peer);
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
            if (timer != null) {
                timer.cancel(false);
            }
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
