package io.ferry.gateway;

import io.ferry.http.UpstreamTiming;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of an upstream connection, there for the connection's whole life: it hands the
 * connection's events to the attempt that uses it now (none while it is parked in a pool) and keeps
 * that attempt's proxy_read_timeout and proxy_send_timeout. A keepalive connection serves one request
 * after another without a handler added or removed and without a timer scheduled per request: one
 * timer per connection, re-armed for what is left when it fires early.
 */
final class UpstreamLink extends ChannelInboundHandlerAdapter {
    static final String NAME = "upstream";

    private final AttemptTraffic traffic;
    private ChannelHandlerContext ctx;
    private UpstreamAttempt attempt;
    private long readTimeout;
    private long sendTimeout;
    private long lastRead;
    private long lastWrite;
    private ScheduledFuture<?> timer;
    private long timerAt;

    private UpstreamLink(AttemptTraffic traffic) {
        this.traffic = traffic;
    }

    /** Adds the link (last) and the attempt's byte counter (above TLS, below any codec) to a new connection. */
    static void install(Channel ch) {
        AttemptTraffic traffic = new AttemptTraffic();
        if (ch.pipeline().get("ssl") != null) {
            ch.pipeline().addAfter("ssl", AttemptTraffic.NAME, traffic);
        } else {
            ch.pipeline().addFirst(AttemptTraffic.NAME, traffic);
        }
        ch.pipeline().addLast(NAME, new UpstreamLink(traffic));
    }

    static UpstreamLink of(Channel ch) {
        return (UpstreamLink) ch.pipeline().get(NAME);
    }

    void attach(UpstreamAttempt a, UpstreamTiming timing, Duration read, Duration send) {
        attempt = a;
        traffic.count(timing);
        readTimeout = read.toNanos();
        sendTimeout = send.toNanos();
    }

    /** The connection is ready and the request goes out: both timeouts count from here. */
    void start() {
        long now = System.nanoTime();
        lastRead = now;
        lastWrite = now;
        arm(now);
    }

    /** The attempt is over: the connection goes to a pool or is closed; a timer still armed finds no one and lapses. */
    void detach() {
        attempt = null;
        traffic.count(null);
    }

    /** A request body write began or ended: proxy_send_timeout counts from there. */
    void wrote() {
        lastWrite = System.nanoTime();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamAttempt a = attempt;
        if (a == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        a.channelRead(ctx, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (readTimeout > 0) {
            lastRead = System.nanoTime();
        }
        UpstreamAttempt a = attempt;
        if (a != null) {
            a.channelReadComplete(ctx);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        UpstreamAttempt a = attempt;
        if (a != null) {
            a.userEventTriggered(ctx, evt);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        UpstreamAttempt a = attempt;
        if (a != null) {
            a.channelInactive(ctx);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamAttempt a = attempt;
        if (a != null) {
            a.exceptionCaught(ctx, cause);
        } else {
            ctx.close();
        }
    }

    private void arm(long now) {
        long at = Long.MAX_VALUE;
        if (readTimeout > 0) {
            at = lastRead + readTimeout;
        }
        if (sendTimeout > 0) {
            at = Math.min(at, lastWrite + sendTimeout);
        }
        if (at == Long.MAX_VALUE || ctx == null) {
            return;
        }
        if (timer != null) {
            if (timerAt - at <= 0) {
                return;
            }
            timer.cancel(false);
        }
        timerAt = at;
        timer = ctx.executor().schedule(this::check, Math.max(0, at - now), TimeUnit.NANOSECONDS);
    }

    private void check() {
        timer = null;
        UpstreamAttempt a = attempt;
        if (a == null || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (readTimeout > 0 && now - lastRead >= readTimeout) {
            // as an idle handler's reader event: once per timeout while nothing arrives
            lastRead = now;
            a.readIdle();
        }
        if (attempt == a && sendTimeout > 0 && now - lastWrite >= sendTimeout) {
            lastWrite = now;
            a.writeIdle();
        }
        if (attempt == a) {
            arm(now);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
