package io.ferry.http;

import io.ferry.route.ServerSelector;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One downstream HTTP/1.1 connection. Reads are explicit (AUTO_READ off): the next bytes are read
 * only when the current exchange wants body or has finished, so pipelined requests queue up in
 * order and a slow upstream holds back a fast client instead of buffering it.
 */
public final class HttpConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HttpConnectionHandler.class);
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(60);

    private final Supplier<ServerSelector> sites;
    private final ContentHandlers handlers;
    private final boolean secure;
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Exchange current;
    private ScheduledFuture<?> idleTimer;
    private boolean inputShutdown;
    private boolean closing;
    private boolean draining;
    private Duration keepaliveTimeout = HEADER_TIMEOUT;

    public HttpConnectionHandler(Supplier<ServerSelector> sites, ContentHandlers handlers, boolean secure) {
        this.sites = sites;
        this.handlers = handlers;
        this.secure = secure;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Removed when the connection is handed to a tunnel: nothing of the HTTP state may outlive it. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelIdle();
        releasePipelined();
        current = null;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        armIdle(HEADER_TIMEOUT);
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (current != null) {
            if (msg instanceof HttpContent chunk && !current.requestComplete()) {
                current.onBody(chunk);
            } else {
                pipelined.add(msg);
            }
            return;
        }
        if (msg instanceof HttpRequest request) {
            cancelIdle();
            current = new Exchange(ctx, this, request, secure);
            current.dispatch(sites.get(), handlers);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Called once per exchange when its response is fully written (and its body fully read). */
    void finished(Exchange exchange, boolean keepAlive) {
        if (exchange != current) {
            return;
        }
        current = null;
        if (!keepAlive || inputShutdown || closing) {
            releasePipelined();
            ctx.close();
            return;
        }
        keepaliveTimeout = exchange.settings().keepaliveTimeout();
        if (!draining) {
            drain();
        }
    }

    /**
     * Feeds queued pipelined messages to the next exchanges; a loop rather than recursion because
     * an exchange may finish synchronously inside dispatch.
     */
    private void drain() {
        draining = true;
        try {
            while (current == null || !current.requestComplete()) {
                Object msg = pipelined.poll();
                if (msg == null) {
                    break;
                }
                channelRead(ctx, msg);
            }
        } finally {
            draining = false;
        }
        if (current == null && ctx.channel().isActive()) {
            armIdle(keepaliveTimeout);
            ctx.read();
        }
    }

    /** True once a graceful shutdown asked this connection to end after the current response. */
    boolean isClosing() {
        return closing;
    }

    /** Graceful shutdown: an idle connection closes now, a busy one after its response. */
    public void closeWhenIdle() {
        closing = true;
        if (current == null) {
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (current == null) {
                ctx.close();
            }
        } else if (evt instanceof SslHandshakeCompletionEvent hs && !hs.isSuccess()) {
            LOG.info("SSL handshake failed with client {}: {}", ctx.channel().remoteAddress(), hs.cause().getMessage());
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelIdle();
        releasePipelined();
        if (current != null) {
            Exchange ex = current;
            current = null;
            ex.downstreamClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("client connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    private void armIdle(Duration timeout) {
        cancelIdle();
        idleTimer = ctx.executor().schedule(() -> {
            if (current == null) {
                ctx.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelIdle() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    private void releasePipelined() {
        Object msg;
        while ((msg = pipelined.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
