package io.ferry.http.v2;

import io.ferry.http.HttpConnectionHandler;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a stream ends for a timeout, as nginx's: RST_STREAM PROTOCOL_ERROR rather than the CANCEL of any other
 * close, whether client_body_timeout or the send_timeout this handler keeps itself (a 444, which the
 * exchange marks as it marks a timeout, ends the same way).
 *
 * <p>send_timeout for one stream: a client that keeps a stream's window shut holds its DATA in the
 * connection's flow controller, not in any socket buffer, so the connection's own send timeout never sees
 * it wait. As nginx's stream timer: no frame of the stream leaving for that long while some wait resets
 * the stream with PROTOCOL_ERROR; the connection and its other streams go on.
 */
final class StreamTimeouts extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    private final long timeoutNanos;
    private int waiting;
    private long lastProgress;
    private ScheduledFuture<?> timer;

    StreamTimeouts(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (timeoutNanos == 0) {
            ctx.write(msg, promise);
            return;
        }
        ChannelPromise sent = promise.isVoid() ? ctx.newPromise() : promise;
        if (waiting++ == 0) {
            lastProgress = System.nanoTime();
        }
        sent.addListener(f -> {
            waiting--;
            lastProgress = System.nanoTime();
        });
        ctx.write(msg, sent);
        if (timer == null) {
            arm(ctx, timeoutNanos);
        }
    }

    private void arm(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        timer = null;
        if (waiting == 0 || !ctx.channel().isActive()) {
            return;
        }
        long idle = System.nanoTime() - lastProgress;
        if (idle < timeoutNanos) {
            arm(ctx, timeoutNanos - idle);
            return;
        }
        LOG.info("client timed out (110: Connection timed out) while sending response to client, client: {}",
                ctx.channel().parent().remoteAddress());
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
        ctx.close();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        HttpConnectionHandler exchanges = ctx.pipeline().get(HttpConnectionHandler.class);
        if (exchanges != null && exchanges.hasTimedOut() && ctx.channel().isActive()) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
        }
        ctx.close(promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
