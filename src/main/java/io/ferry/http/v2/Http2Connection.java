package io.ferry.http.v2;

import io.ferry.http.MultiplexedConnection;
import io.ferry.http.conn.ConnectionSettings;
import io.ferry.http.conn.ConnectionStates;
import io.ferry.http.conn.GracefulClose;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One client's HTTP/2 connection above its frame codec and stream multiplexer: its number and age for
 * every stream's exchange, keepalive_timeout while no stream is open, keepalive_requests as the most
 * streams it serves, and a graceful end (quit, reload, the last allowed request) as nginx's: GOAWAY
 * with the last stream taken, the streams in flight finish, then the connection closes.
 */
final class Http2Connection extends ChannelDuplexHandler implements MultiplexedConnection, GracefulClose {
    private static final int MAX_WINDOW = Integer.MAX_VALUE;
    private final ConnectionStates states;
    private final long connectionId;
    private final long openedAt = System.nanoTime();
    private final Duration idleTimeout;
    private final int maxRequests;
    private final Duration maxAge;
    private final ConnectionSettings closing;
    private ChannelHandlerContext ctx;
    private int requests;
    private int streamsSeen;
    private int open;
    private boolean goingAway;
    private ScheduledFuture<?> idle;

    Http2Connection(ConnectionStates states, Duration idleTimeout, int maxRequests, Duration maxAge,
                    ConnectionSettings closing) {
        this.states = states;
        this.connectionId = states.nextConnectionId();
        this.idleTimeout = idleTimeout;
        this.maxRequests = maxRequests;
        this.maxAge = maxAge;
        this.closing = closing;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        // nginx opens the connection's receive window to the largest at once; each stream's stays http2_body_preread_size
        ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(MAX_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
        states.opened(ConnectionStates.State.WAITING);
        armIdle();
        if (states.quitting()) {
            closeWhenIdle();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelIdle();
        states.closed(open > 0 ? ConnectionStates.State.WRITING : ConnectionStates.State.WAITING);
    }

    @Override
    public long connectionId() {
        return connectionId;
    }

    @Override
    public int nextRequest() {
        states.request();
        return ++requests;
    }

    @Override
    public Duration age() {
        return Duration.ofNanos(System.nanoTime() - openedAt);
    }

    /** A stream was opened by the client: the connection is busy until it closes. */
    void streamOpened(Channel stream) {
        if (open++ == 0) {
            cancelIdle();
            states.moved(ConnectionStates.State.WAITING, ConnectionStates.State.WRITING);
        }
        // as nginx: keepalive_timeout 0 keeps no connection, keepalive_time ends one that has served long enough
        if ((maxRequests > 0 && ++streamsSeen >= maxRequests) || idleTimeout.isZero() || age().compareTo(maxAge) > 0) {
            goAway();
        }
        stream.closeFuture().addListener(f -> streamClosed());
    }

    private void streamClosed() {
        if (--open > 0) {
            return;
        }
        states.moved(ConnectionStates.State.WRITING, ConnectionStates.State.WAITING);
        if (goingAway) {
            Http2Linger.close(ctx, closing);
        } else {
            armIdle();
        }
    }

    @Override
    public void closeWhenIdle() {
        goAway();
        if (open == 0) {
            Http2Linger.close(ctx, closing);
        }
    }

    /** GOAWAY (NO_ERROR): the codec names the last stream it took; streams after it are refused, those before finish. */
    private void goAway() {
        if (goingAway || !ctx.channel().isActive()) {
            goingAway = true;
            return;
        }
        goingAway = true;
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
    }

    private void armIdle() {
        cancelIdle();
        if (!idleTimeout.isZero()) {
            idle = ctx.executor().schedule(() -> {
                goingAway = true;
                ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)).addListener(ChannelFutureListener.CLOSE);
            }, idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void cancelIdle() {
        if (idle != null) {
            idle.cancel(false);
            idle = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2GoAwayFrame) {
            // the client will open no more streams: the connection ends with the last of its open ones
            goingAway = true;
            if (open == 0) {
                Http2Linger.close(ctx, closing);
            }
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelIdle();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        org.slf4j.LoggerFactory.getLogger("io.ferry.error").info("*{} {} while processing HTTP/2 connection, client: {}",
                connectionId, cause.getMessage(), ctx.channel().remoteAddress());
        // a protocol error is the codec's to end: its GOAWAY names the error, which a close here would turn into NO_ERROR
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
            ctx.close();
        }
    }
}
