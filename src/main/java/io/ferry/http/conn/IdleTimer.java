package io.ferry.http.conn;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The deadline of a connection between requests (client_header_timeout while a header comes,
 * keepalive_timeout while none does). One timer per connection follows the deadline lazily, re-armed
 * when it fires early, instead of being cancelled and rescheduled for every request.
 */
public final class IdleTimer {
    private final ChannelHandlerContext ctx;
    private final BooleanSupplier busy;
    private final Runnable expired;
    private ScheduledFuture<?> timer;
    private long deadline;
    private long timerAt;
    private boolean lastLook;

    /** {@code expired} runs once the deadline passed and no exchange ({@code busy}) took the connection meanwhile. */
    public IdleTimer(ChannelHandlerContext ctx, BooleanSupplier busy, Runnable expired) {
        this.ctx = ctx;
        this.busy = busy;
        this.expired = expired;
    }

    /** Sets the deadline {@code timeout} from now. */
    public void arm(Duration timeout) {
        deadline = System.nanoTime() + timeout.toNanos();
        lastLook = false;
        if (timer != null && timerAt - deadline > 0) {
            // A pending check for a later deadline (keepalive) would be too late for this one (header).
            stop();
        }
        if (timer == null) {
            schedule(timeout.toNanos());
        }
    }

    /** A request arrived: no deadline until the connection is idle again (the timer left running finds none). */
    public void cancel() {
        deadline = 0;
    }

    /** The connection is done with HTTP: the timer goes. */
    public void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void schedule(long delayNanos) {
        timerAt = System.nanoTime() + delayNanos;
        timer = ctx.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        timer = null;
        if (deadline == 0 || busy.getAsBoolean()) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            schedule(left);
        } else if (!lastLook) {
            // nginx handles the events that are ready before the timers that expired: a request whose
            // bytes already wait on the socket when the loop wakes late gets one more turn to be read.
            lastLook = true;
            ctx.read();
            schedule(TimeUnit.MILLISECONDS.toNanos(1));
        } else {
            expired.run();
        }
    }
}
