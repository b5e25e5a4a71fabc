package io.ferry.http;

import io.ferry.net.OutputProgress;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * send_timeout: a client that takes no data for that long while some is waiting for it is cut
 * off. An idle connection with nothing to send is not.
 *
 * <p>Nothing is done per write: almost every flush leaves the socket's buffer with room and the
 * outbound buffer empty, and only a flush that leaves bytes behind arms a timer. The timer then looks
 * every quarter of the timeout for progress (the outbound buffer's current message or its progress
 * changed), so a client is cut between 1 and 1.25 timeouts after it last took a byte.
 */
public final class SendTimeout extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    private static final int CHECKS = 4;

    private final Duration timeout;
    private final long stepNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private int stalledChecks;
    private final OutputProgress output = new OutputProgress();

    public SendTimeout(Duration timeout) {
        this.timeout = timeout;
        // 0 turns the timeout off, as Netty's idle handlers read it
        this.stepNanos = timeout.toNanos() / CHECKS;
    }

    public Duration timeout() {
        return timeout;
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
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
        ChannelOutboundBuffer waiting = timer == null && stepNanos > 0 ? OutputProgress.waiting(ctx.channel()) : null;
        if (waiting != null) {
            stalledChecks = 0;
            output.remember(waiting);
            timer = ctx.executor().schedule(this::check, stepNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        timer = null;
        ChannelOutboundBuffer out = ctx.channel().isActive() ? OutputProgress.waiting(ctx.channel()) : null;
        if (out == null) {
            output.forget();
            return;
        }
        if (output.moved(out)) {
            stalledChecks = 0;
        } else if (++stalledChecks >= CHECKS) {
            output.forget();
            LOG.info("client timed out (110: Connection timed out) while sending response to client, client: {}",
                    ctx.channel().remoteAddress());
            HttpConnectionHandler connection = ctx.pipeline().get(HttpConnectionHandler.class);
            if (connection != null) {
                connection.timedOut();
            }
            ctx.close();
            return;
        }
        timer = ctx.executor().schedule(this::check, stepNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        output.forget();
    }
}
