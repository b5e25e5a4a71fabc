package io.ferry.http.conn;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * nginx's lingering close: when the client may still be sending a request Ferry refused, closing at
 * once would reset the connection and destroy the answer in flight. Our side is shut, what still
 * arrives is read and dropped, and the socket closes at the client's EOF, when no byte came for
 * lingering_timeout, or after lingering_time in all.
 */
public final class LingeringClose {
    private final ChannelHandlerContext ctx;
    private final long deadline;
    private final Duration timeout;
    private ScheduledFuture<?> timer;

    private LingeringClose(ChannelHandlerContext ctx, ConnectionSettings close) {
        this.ctx = ctx;
        this.deadline = System.nanoTime() + close.lingeringTime().toNanos();
        this.timeout = close.lingeringTimeout();
    }

    /**
     * Starts lingering on {@code ctx}'s connection; returns null when it closed at once instead (a
     * TLS connection, or a channel that cannot shut one direction).
     */
    public static LingeringClose start(ChannelHandlerContext ctx, ConnectionSettings close) {
        if (!(ctx.channel() instanceof DuplexChannel duplex) || ctx.pipeline().get(SslHandler.class) != null) {
            ctx.close();
            return null;
        }
        LingeringClose lingering = new LingeringClose(ctx, close);
        duplex.shutdownOutput().addListener(f -> lingering.read());
        return lingering;
    }

    /** Bytes arrived (and were dropped): the wait for the next starts again, within lingering_time. */
    public void read() {
        if (timer != null) {
            timer.cancel(false);
        }
        long left = Math.min(deadline - System.nanoTime(), timeout.toNanos());
        if (left <= 0) {
            ctx.close();
            return;
        }
        timer = ctx.executor().schedule(() -> ctx.close(), left, TimeUnit.NANOSECONDS);
        ctx.read();
    }

    /** The connection closed: the timer goes. */
    public void cancel() {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
