package io.ferry.http;

import io.ferry.http.conn.ConnectionStates;

import io.ferry.http.conn.ConnectionModule;
import io.ferry.http.conn.ConnectionSettings;
import io.ferry.http.conn.IdleTimer;
import io.ferry.http.conn.LingeringClose;
import io.ferry.http.hook.ContentHandlers;
import io.ferry.http.hook.ExchangeListener;

import io.ferry.net.TrafficCounter;
import io.ferry.route.ServerSelector;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * One downstream HTTP/1.1 connection, or one stream of an HTTP/2 connection (its one exchange, the
 * connection's number and age taken from the {@link MultiplexedConnection}). Reads are explicit
 * (AUTO_READ off): the next bytes are read only when the current exchange wants body or has finished,
 * so pipelined requests queue up in order and a slow upstream holds back a fast client instead of
 * buffering it.
 */
public final class HttpConnectionHandler extends ChannelInboundHandlerAdapter implements io.ferry.http.conn.GracefulClose {
    private static final Logger LOG = LoggerFactory.getLogger(HttpConnectionHandler.class);
    /** nginx's level for failures that are not the peer's doing; the error log prints the marker's name. */
    private static final Marker ALERT = MarkerFactory.getMarker("alert");

    private final Supplier<ServerSelector> sites;
    private final ContentHandlers handlers;
    private final ExchangeListener listener;
    private final ConnectionStates states;
    private final boolean secure;
    /** The HTTP/2 connection this stream belongs to; null on an HTTP/1.x connection. */
    private final MultiplexedConnection multiplexed;
    private ConnectionStates.State state;
    private long connectionId;
    private long openedAt;
    private int requests;
    private TrafficCounter traffic;
    private long inMark;
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Exchange current;
    private IdleTimer idle;
    private boolean inputShutdown;
    private boolean closing;
    private LingeringClose lingering;
    private boolean timedOut;
    private boolean draining;
    /** A request came in the bytes of the current read: the next one in them was sent before this one's answer. */
    private boolean requestInRead;
    private Duration headerTimeout = Duration.ofSeconds(60);
    private Duration keepaliveTimeout = headerTimeout;

    public HttpConnectionHandler(Supplier<ServerSelector> sites, ContentHandlers handlers, ExchangeListener listener,
                                 ConnectionStates states, boolean secure) {
        this(sites, handlers, listener, states, secure, null);
    }

    public HttpConnectionHandler(Supplier<ServerSelector> sites, ContentHandlers handlers, ExchangeListener listener,
                                 ConnectionStates states, boolean secure, MultiplexedConnection multiplexed) {
        this.sites = sites;
        this.handlers = handlers;
        this.listener = listener;
        this.states = states;
        this.secure = secure;
        this.multiplexed = multiplexed;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.traffic = ctx.pipeline().get(TrafficCounter.class);
        this.connectionId = multiplexed != null ? multiplexed.connectionId() : states.nextConnectionId();
        this.openedAt = System.nanoTime();
        this.closing = states.quitting();
        this.idle = new IdleTimer(ctx, () -> current != null, () -> {
            if (state == ConnectionStates.State.READING) {
                // client_header_timeout; a keepalive connection that stays silent just closes
                timedOut(sites.get().defaultServer().fallback().module(ConnectionModule.SETTINGS));
            }
            ctx.close();
        });
    }

    /** How long this connection has been open, for keepalive_time. */
    Duration age() {
        return multiplexed != null ? multiplexed.age() : Duration.ofNanos(System.nanoTime() - openedAt);
    }

    /** Whether this is a stream of an HTTP/2 connection. */
    boolean multiplexed() {
        return multiplexed != null;
    }

    /** The settings of the location answering the current exchange, or null between exchanges. */
    public io.ferry.model.LocationSettings answering() {
        return current == null ? null : current.settings();
    }

    /** stub_status counts an HTTP/2 connection, not its streams, as nginx does. */
    private void enter(ConnectionStates.State next) {
        if (multiplexed != null) {
            return;
        }
        if (state == null) {
            states.opened(next);
        } else if (state != next) {
            states.moved(state, next);
        }
        state = next;
        if (next == ConnectionStates.State.WAITING) {
            traffic.onNextBytes(() -> {
                if (state == ConnectionStates.State.WAITING) {
                    enter(ConnectionStates.State.READING);
                    // A request has begun: client_header_timeout now bounds how long its header may take.
                    idle.arm(headerTimeout);
                }
            });
        }
    }

    private void leave() {
        if (state != null) {
            states.closed(state);
            state = null;
        }
    }

    /** Removed when the connection is handed to a tunnel: nothing of the HTTP state may outlive it. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        leave();
        idle.stop();
        releasePipelined();
        current = null;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (multiplexed != null) {
            ctx.read();
            ctx.fireChannelActive();
            return;
        }
        headerTimeout = sites.get().defaultServer().limits().headerTimeout();
        enter(ConnectionStates.State.WAITING);
        idle.arm(headerTimeout);
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (lingering != null) {
            ReferenceCountUtil.release(msg);
            lingering.read();
            return;
        }
        if (current != null) {
            if (msg instanceof HttpContent chunk && !current.requestComplete()) {
                current.onBody(chunk);
                if (current != null && current.requestComplete() && current.watchesClient()) {
                    readAhead();
                }
            } else {
                pipelined.add(msg);
            }
            return;
        }
        if (msg instanceof HttpRequest request) {
            idle.cancel();
            enter(ConnectionStates.State.WRITING);
            states.request();
            requests++;
            current = new Exchange(ctx, this, request, secure, multiplexed != null ? multiplexed.nextRequest() : requests,
                    handlers);
            if (draining || requestInRead) {
                current.markPipelined();
            }
            requestInRead = true;
            current.dispatch(sites.get());
            if (request instanceof FullHttpRequest full) {
                // A rejected request carries no body; its (empty) buffer is not needed past dispatch.
                full.release();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        requestInRead = false;
        ctx.fireChannelReadComplete();
    }

    /** Called once per exchange when its response is fully written (and its body fully read). */
    void finished(Exchange exchange, boolean keepAlive) {
        if (exchange != current) {
            return;
        }
        current = null;
        inMark = traffic.in();
        ended(exchange);
        if (multiplexed != null) {
            // a stream carries one exchange: what is left of a body the answer did not need is refused (RST_STREAM
            // NO_ERROR); one that timed out is reset as a timeout (StreamTimeouts)
            if (timedOut) {
                ctx.close();
            } else {
                io.ferry.http.v2.StreamWindow.endAnswered(ctx.channel());
            }
            return;
        }
        if (!keepAlive || inputShutdown || closing) {
            boolean moreToRead = !exchange.requestComplete() || !pipelined.isEmpty();
            releasePipelined();
            ConnectionSettings close = exchange.settings().module(ConnectionModule.SETTINGS);
            boolean linger = switch (close.lingeringClose()) {
                case OFF -> false;
                case ON -> moreToRead;
                case ALWAYS -> true;
            };
            if (linger && !inputShutdown && !timedOut) {
                lingering = LingeringClose.start(ctx, close);
            } else {
                ctx.close();
            }
            return;
        }
        keepaliveTimeout = exchange.settings().keepaliveTimeout();
        ServerCodec codec = ctx.pipeline().get(ServerCodec.class);
        if (codec != null) {
            codec.resumeAfterUpgrade();
        }
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
            enter(ConnectionStates.State.WAITING);
            idle.arm(keepaliveTimeout);
            ctx.read();
        }
    }

    /**
     * One read while the request waits on its upstream, so the client's end of stream is seen. What
     * it brings beyond the request waits in the pipeline queue for the next exchange.
     */
    void readAhead() {
        ctx.read();
    }

    ConnectionStates states() {
        return states;
    }

    long connectionId() {
        return connectionId;
    }

    /** Bytes read before the current request started (for $request_length). */
    long inMark() {
        return inMark;
    }

    TrafficCounter traffic() {
        return traffic;
    }

    /** The exchange is over: what its modules hold for it is let go (nginx's request pool cleanups), then it is logged. */
    private void ended(Exchange exchange) {
        exchange.runEndActions();
        listener.completed(exchange);
        exchange.releaseBody();
    }

    void subrequestEnded(Exchange subrequest) {
        listener.subrequestCompleted(subrequest);
    }

    /** A WebSocket that outlived this handler reports its end here, once its tunnel closed. */
    void tunnelClosed(Exchange exchange) {
        ended(exchange);
    }

    /**
     * The connection ends for a timeout or a 444 (nginx's c->timedout): no lingering, and with
     * reset_timedout_connection the close resets it, so the kernel frees the socket at once.
     */
    void timedOut() {
        timedOut(current != null ? current.settings().module(ConnectionModule.SETTINGS)
                : sites.get().defaultServer().fallback().module(ConnectionModule.SETTINGS));
    }

    void timedOut(ConnectionSettings close) {
        timedOut = true;
        if (close.resetTimedout()) {
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        }
    }

    /** Whether the connection ends for a timeout (or a 444), which an HTTP/2 stream tells its client with PROTOCOL_ERROR. */
    public boolean hasTimedOut() {
        return timedOut;
    }

    /** True once a graceful shutdown asked this connection to end after the current response. */
    boolean isClosing() {
        return closing;
    }

    /**
     * Graceful shutdown: a keepalive connection between requests closes now, a busy one after its response. As in
     * nginx, one that has not sent its first request yet is left to send it (or to client_header_timeout): its
     * client connected before the quit and is owed an answer.
     */
    @Override
    public void closeWhenIdle() {
        closing = true;
        if (current == null && requests > 0) {
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (current == null || lingering != null) {
                ctx.close();
            } else if (!current.requestComplete()) {
                // The client's request can never be completed: nginx's "client prematurely closed connection".
                ctx.close();
            } else if (current.watchesClient()) {
                LOG.info("*{} client prematurely closed connection, so upstream connection is closed too, client: {}",
                        connectionId, ctx.channel().remoteAddress());
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
        idle.stop();
        if (lingering != null) {
            lingering.cancel();
        }
        releasePipelined();
        leave();
        if (current != null) {
            Exchange ex = current;
            current = null;
            ex.downstreamClosed();
            ended(ex);
        }
        ctx.fireChannelInactive();
    }

    /**
     * nginx's ngx_connection_error: what the client did to the connection (reset, broken pipe, bytes
     * that are not TLS) is logged at info; anything else is a fault on Ferry's side, logged at alert
     * with its stack trace so it cannot go unnoticed.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Netty's decoders wrap what went wrong inside them; what they reject on their own has no cause.
        Throwable failure = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (failure instanceof SSLHandshakeException) {
            LOG.debug("*{} SSL handshake failed, client: {}", connectionId, ctx.channel().remoteAddress(), failure);
        } else if (failure instanceof IOException || failure instanceof DecoderException) {
            LOG.info("*{} {} while serving client, client: {}", connectionId, failure.getMessage(), ctx.channel().remoteAddress());
        } else {
            LOG.error(ALERT, "*{} {} on client connection, client: {}", connectionId, failure, ctx.channel().remoteAddress(), failure);
        }
        ctx.close();
    }

    private void releasePipelined() {
        Object msg;
        while ((msg = pipelined.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
