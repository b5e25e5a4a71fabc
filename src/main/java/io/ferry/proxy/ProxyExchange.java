package io.ferry.proxy;

import io.ferry.http.BodySink;
import io.ferry.http.Exchange;
import io.ferry.http.ServerCodec;
import io.ferry.http.UpstreamTiming;
import io.ferry.model.NextUpstream;
import io.ferry.model.NextUpstream.Condition;
import io.ferry.model.ProxySettings;
import io.ferry.tunnel.Tunnel;
import io.ferry.tunnel.Tunnels;
import io.ferry.upstream.Peer;
import io.ferry.upstream.UpstreamGroup;
import io.ferry.websocket.WebSocketTunnel;
import io.ferry.websocket.WebSocketUpgrade;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied request over one or more upstream attempts: pick a peer, take a pooled connection
 * or connect on the client's event loop, stream the request body up and the response down with
 * read-after-write backpressure, retry on the next peer as proxy_next_upstream allows (never once
 * a response byte reached the client), and switch to a raw tunnel on 101.
 */
final class ProxyExchange implements BodySink {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    private static final int MAX_CHUNK = 64 * 1024;
    /** Request body kept for a retry on another peer; a longer body can only be sent once. */
    private static final int REPLAY_LIMIT = 64 * 1024;
    private static final Set<HttpMethod> NON_IDEMPOTENT = Set.of(HttpMethod.POST, HttpMethod.PATCH, HttpMethod.valueOf("LOCK"));
    private static final SslContext UPSTREAM_TLS = upstreamTls();

    private final Exchange ex;
    private final Tunnels tunnels;
    private final ProxySettings proxy;
    private final UpstreamGroup group;
    private final NextUpstream next;
    private final boolean upgradeRequested;
    private final HttpRequest upstreamRequest;
    private final Set<Peer> tried = new HashSet<>();
    private final long started = System.nanoTime();
    private final ArrayDeque<HttpContent> pending = new ArrayDeque<>();
    private final List<HttpContent> replay = new ArrayList<>();
    private long replayBytes;
    private boolean replayable = true;
    private boolean replayOnConnect;
    private Attempt attempt;
    private boolean finished;

    ProxyExchange(Exchange ex, ProxySettings proxy, UpstreamGroup group, Tunnels tunnels) {
        this.tunnels = tunnels;
        this.ex = ex;
        this.proxy = proxy;
        this.group = group;
        this.next = proxy.nextUpstream();
        this.upgradeRequested = WebSocketUpgrade.isRequested(ex.request());
        this.upstreamRequest = UpstreamRequest.build(ex, proxy);
    }

    void start() {
        ex.bodySink(this);
        ex.onAbort(this::abortFromClient);
        if (HttpUtil.is100ContinueExpected(ex.request()) && !ex.expectsNoBody()) {
            ex.context().writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        nextAttempt(null);
    }

    // ---- attempts ------------------------------------------------------------------------------

    /** {@code lastStatus}: what the client gets if no peer is left (null before the first attempt). */
    private void nextAttempt(HttpResponseStatus lastStatus) {
        Peer peer = group.select(ex, tried);
        if (peer == null) {
            if (lastStatus == null) {
                logError("no live upstreams while connecting to upstream", null);
            }
            fail(lastStatus == null ? HttpResponseStatus.BAD_GATEWAY : lastStatus);
            return;
        }
        tried.add(peer);
        Attempt a = new Attempt(peer);
        attempt = a;
        Channel pooled = group.pooled(ex.channel(), peer);
        if (pooled != null) {
            a.attach(pooled);
            a.connected();
            return;
        }
        ChannelFuture connect = group.connect(ex.channel(), peer, proxy.connectTimeout(), new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (proxy.target().https()) {
                    ch.pipeline().addLast("ssl", UPSTREAM_TLS.newHandler(ch.alloc(),
                            peer.server().address().getHostString(), peer.server().address().getPort()));
                }
                ch.pipeline().addLast("http", new HttpClientCodec(ex.settings().proxyBufferSize(),
                        ex.settings().proxyBufferSize(), MAX_CHUNK));
                a.attach(ch);
            }
        });
        connect.addListener((ChannelFutureListener) f -> {
            if (a != attempt) {
                f.channel().close();
            } else if (f.isSuccess()) {
                a.connected();
            } else {
                boolean timeout = f.cause() instanceof ConnectTimeoutException;
                a.failed(timeout ? Condition.TIMEOUT : Condition.ERROR,
                        timeout ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY,
                        (timeout ? "upstream timed out (110: Connection timed out)" : "connect() failed (" + Errno.describe(f.cause()) + ")")
                                + " while connecting to upstream");
            }
        });
    }

    private boolean mayRetry(Condition cond, boolean requestSent) {
        if (finished || ex.responseStarted() || !next.on(cond)) {
            return false;
        }
        if (next.tries() > 0 && tried.size() >= next.tries()) {
            return false;
        }
        if (!next.timeout().isZero() && System.nanoTime() - started >= next.timeout().toNanos()) {
            return false;
        }
        if (requestSent && NON_IDEMPOTENT.contains(ex.request().method()) && !next.on(Condition.NON_IDEMPOTENT)) {
            return false;
        }
        return !requestSent || replayable;
    }

    /** One connection to one peer, with its own pipeline handler so late events of an abandoned attempt are ignored. */
    private final class Attempt extends ChannelInboundHandlerAdapter {
        final Peer peer;
        Channel channel;
        boolean requestSent;
        boolean writePending;
        boolean upgraded;
        boolean skippingInterim;
        boolean responseReusable;
        ChannelFuture lastDownstreamWrite;
        final List<ByteBuf> upgradedBytes = new ArrayList<>();

        final UpstreamTiming timing;

        Attempt(Peer peer) {
            this.peer = peer;
            this.timing = ex.upstreamAttempt(peer.server().addressText());
        }

        boolean current() {
            return attempt == this && !finished;
        }

        void attach(Channel ch) {
            channel = ch;
            ch.pipeline().addLast("idle", new IdleStateHandler(proxy.readTimeout().toMillis(), proxy.sendTimeout().toMillis(), 0,
                    TimeUnit.MILLISECONDS));
            ch.pipeline().addLast("proxy", this);
        }

        void connected() {
            timing.connected();
            requestSent = true;
            channel.write(upstreamRequest);
            if (replayOnConnect) {
                releasePending();
                for (HttpContent c : replay) {
                    writeBody(c.retainedDuplicate(), false);
                }
                replayOnConnect = false;
            } else {
                HttpContent c;
                while ((c = pending.poll()) != null) {
                    writeBody(c, false);
                }
            }
            channel.flush();
            if (!ex.requestComplete() && !writePending) {
                ex.requestMoreBody();
            }
            channel.read();
        }

        void writeBody(HttpContent chunk, boolean flush) {
            if (!channel.isActive()) {
                chunk.release();
                return;
            }
            writePending = true;
            boolean last = chunk instanceof LastHttpContent;
            ChannelFuture w = flush ? channel.writeAndFlush(chunk) : channel.write(chunk);
            w.addListener((ChannelFutureListener) done -> {
                writePending = false;
                if (done.isSuccess() && !last && current()) {
                    ex.requestMoreBody();
                }
            });
        }

        /** The attempt failed before any response byte went out: count it, then retry or answer. */
        void failed(Condition cond, HttpResponseStatus status, String what) {
            if (!current()) {
                return;
            }
            timing.finished();
            logError(what, peer);
            group.failed(peer, "connecting to upstream");
            attempt = null;
            channel.close();
            boolean sent = requestSent;
            if (mayRetry(cond, sent)) {
                replayOnConnect = sent;
                nextAttempt(status);
            } else {
                fail(status);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (upgraded) {
                // Whatever the codec makes of the bytes behind a 101 (raw, or "content" when it takes the
                // answer for an old Hixie-76 handshake), they belong to the new protocol.
                if (msg instanceof ByteBuf buf) {
                    upgradedBytes.add(buf);
                } else if (msg instanceof HttpContent content && content.content().isReadable()) {
                    upgradedBytes.add(content.content().retain());
                    content.release();
                } else {
                    ReferenceCountUtil.release(msg);
                }
                return;
            }
            if (!current()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpObject obj && obj.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                if (ex.responseStarted()) {
                    logError("upstream sent invalid response body", peer);
                    fail(HttpResponseStatus.BAD_GATEWAY);
                } else {
                    failed(Condition.INVALID_HEADER, HttpResponseStatus.BAD_GATEWAY, "upstream sent invalid header: "
                            + obj.decoderResult().cause().getMessage() + " while reading response header from upstream");
                }
                return;
            }
            if (msg instanceof HttpResponse res) {
                onResponseHead(res);
            }
            if (msg instanceof HttpContent content) {
                onResponseContent(content);
            }
        }

        private void onResponseHead(HttpResponse res) {
            int code = res.status().code();
            timing.status(code);
            if (code == 101) {
                if (upgradeRequested) {
                    switchProtocols(res);
                } else {
                    failed(Condition.INVALID_HEADER, HttpResponseStatus.BAD_GATEWAY,
                            "upstream sent 101 to a request that did not ask to upgrade");
                }
                return;
            }
            if (code >= 100 && code < 200) {
                skippingInterim = true;
                return;
            }
            if (proxy.interceptErrors() && code >= 300 && ex.settings().errorPages().containsKey(code)) {
                // proxy_intercept_errors: the error_page answers instead of the upstream's body.
                finished = true;
                attempt = null;
                timing.finished();
                channel.close();
                releaseBody();
                ex.onAbort(null);
                ex.errorPage(code);
                return;
            }
            Condition cond = NextUpstream.forStatus(code);
            if (cond != null && mayRetry(cond, true)) {
                if (code != 403 && code != 404) {
                    group.failed(peer, "reading response header from upstream");
                }
                timing.finished();
                logError("upstream answered " + code + ", trying the next one", peer);
                attempt = null;
                channel.close();
                replayOnConnect = true;
                nextAttempt(res.status());
                return;
            }
            responseReusable = HttpUtil.isKeepAlive(res) && HttpUtil.isKeepAlive(upstreamRequest);
            HttpResponse down = new DefaultHttpResponse(HttpVersion.HTTP_1_1, res.status());
            copyEndToEnd(res, down);
            boolean bodyless = ex.isHead() || code == 204 || code == 304;
            if (HttpUtil.isContentLengthSet(res) && !HttpUtil.isTransferEncodingChunked(res)) {
                down.headers().set("Content-Length", res.headers().get(HttpHeaderNames.CONTENT_LENGTH));
            } else if (!bodyless) {
                down.headers().set("Transfer-Encoding", HttpHeaderValues.CHUNKED);
            }
            ex.prepare(down, false);
            lastDownstreamWrite = ex.context().write(down);
        }

        private void onResponseContent(HttpContent content) {
            if (skippingInterim) {
                content.release();
                if (content instanceof LastHttpContent) {
                    skippingInterim = false;
                }
                return;
            }
            if (!ex.responseStarted()) {
                content.release();
                return;
            }
            if (content instanceof LastHttpContent) {
                finished = true;
                attempt = null;
                timing.finished();
                group.succeeded(peer);
                ex.context().writeAndFlush(content).addListener((ChannelFutureListener) f -> ex.complete(f.isSuccess()));
                boolean reusable = responseReusable && ex.requestComplete() && !writePending;
                channel.pipeline().remove(this);
                channel.pipeline().remove("idle");
                group.release(channel, peer, reusable);
                releaseBody();
            } else {
                lastDownstreamWrite = ex.context().write(content);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!current() || upgraded) {
                return;
            }
            ex.context().flush();
            ChannelFuture w = lastDownstreamWrite;
            if (w == null || w.isDone()) {
                ctx.read();
            } else {
                w.addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess() && current()) {
                        ctx.read();
                    }
                });
            }
        }

        private void switchProtocols(HttpResponse res) {
            upgraded = true;
            finished = true;
            attempt = null;
            group.succeeded(peer);
            HttpResponse down = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
            copyEndToEnd(res, down);
            down.headers().set("Upgrade", res.headers().get(HttpHeaderNames.UPGRADE, "websocket"));
            down.headers().set("Connection", HttpHeaderValues.UPGRADE);
            ex.prepare(down, true);
            ex.onAbort(null);
            releaseBody();
            ex.context().writeAndFlush(down).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    upgradedBytes.forEach(ByteBuf::release);
                    channel.close();
                    return;
                }
                ex.detach();
                // Not from inside this listener: the upstream decoder may still be mid-read and emit
                // the 101's end marker, which must reach this handler, not the relay.
                channel.eventLoop().execute(() -> {
                    Tunnel[] opened = new Tunnel[1];
                    opened[0] = WebSocketTunnel.open(ex.channel(), ServerCodec.class, channel, upgradedBytes, proxy.readTimeout(), () -> {
                        tunnels.closed(opened[0]);
                        timing.finished();
                        ex.tunnelClosed();
                    });
                    tunnels.opened(opened[0], Tunnels.Kind.WEBSOCKET);
                });
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && current()) {
                // The codec has already turned an EOF-delimited body's end into its last chunk.
                channelInactive(ctx);
                return;
            }
            if (!(evt instanceof IdleStateEvent idle) || !current()) {
                ctx.fireUserEventTriggered(evt);
                return;
            }
            boolean waitingOnClient = lastDownstreamWrite != null && !lastDownstreamWrite.isDone();
            switch (idle.state()) {
                case READER_IDLE -> {
                    if (!waitingOnClient && !writePending) {
                        timedOut("reading response header from upstream");
                    }
                }
                case WRITER_IDLE -> {
                    if (writePending) {
                        timedOut("sending request to upstream");
                    }
                }
                default -> {
                }
            }
        }

        private void timedOut(String while_) {
            String what = "upstream timed out (110: Connection timed out) while " + while_;
            if (ex.responseStarted()) {
                logError(what, peer);
                group.failed(peer, while_);
                fail(HttpResponseStatus.GATEWAY_TIMEOUT);
            } else {
                failed(Condition.TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, what);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!current()) {
                return;
            }
            if (ex.responseStarted()) {
                logError("upstream prematurely closed connection while reading upstream", peer);
                fail(HttpResponseStatus.BAD_GATEWAY);
            } else {
                failed(Condition.ERROR, HttpResponseStatus.BAD_GATEWAY,
                        "upstream prematurely closed connection while reading response header from upstream");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (current()) {
                String what = "recv() failed (" + Errno.describe(cause) + ") while reading response header from upstream";
                if (ex.responseStarted()) {
                    logError(what, peer);
                    fail(HttpResponseStatus.BAD_GATEWAY);
                } else {
                    failed(Condition.ERROR, HttpResponseStatus.BAD_GATEWAY, what);
                }
            }
            ctx.close();
        }
    }

    // ---- request body --------------------------------------------------------------------------

    /** Each chunk goes to the current attempt (or waits for its connection) and, while small, is kept for a retry. */
    @Override
    public void onBody(HttpContent chunk) {
        if (finished) {
            chunk.release();
            return;
        }
        if (replayable) {
            replayBytes += chunk.content().readableBytes();
            if (replayBytes > REPLAY_LIMIT) {
                replayable = false;
                releaseReplay();
            } else {
                replay.add(chunk.retainedDuplicate());
            }
        }
        Attempt a = attempt;
        if (a != null && a.requestSent && a.channel.isActive()) {
            a.writeBody(chunk, true);
        } else {
            pending.add(chunk);
        }
    }

    // ---- endings -------------------------------------------------------------------------------

    /** Before the response started the client gets an error page; after, the connection is cut. */
    private void fail(HttpResponseStatus status) {
        if (finished) {
            return;
        }
        finished = true;
        Attempt a = attempt;
        attempt = null;
        if (a != null && a.channel != null) {
            a.channel.close();
        }
        releaseBody();
        if (ex.responseStarted()) {
            ex.abort();
        } else {
            ex.sendError(status, !ex.requestComplete());
        }
    }

    private void abortFromClient() {
        finished = true;
        Attempt a = attempt;
        attempt = null;
        if (a != null && a.channel != null) {
            a.channel.close();
        }
        releaseBody();
    }

    private void releaseBody() {
        releasePending();
        releaseReplay();
    }

    private void releasePending() {
        HttpContent c;
        while ((c = pending.poll()) != null) {
            c.release();
        }
    }

    private void releaseReplay() {
        replay.forEach(HttpContent::release);
        replay.clear();
    }

    /** Hop-by-hop headers and the hidden ones (nginx's defaults, proxy_hide_header) never go to the client. */
    private void copyEndToEnd(HttpResponse from, HttpResponse to) {
        Set<String> hop = HopByHop.names(from.headers());
        for (Map.Entry<String, String> e : from.headers()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!hop.contains(name) && !proxy.hiddenHeaders().contains(name) && !name.equals("content-length")) {
                to.headers().add(e.getKey(), e.getValue());
            }
        }
    }

    private void logError(String what, Peer peer) {
        LOG.error("*{} {}, client: {}, server: {}, request: \"{} {} {}\", upstream: \"{}://{}{}\", host: \"{}\"",
                ex.connection(), what, ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol(),
                proxy.target().https() ? "https" : "http",
                peer == null ? proxy.target().hostHeader() : peer.server().addressText(), upstreamRequest.uri(),
                ex.request().headers().get(HttpHeaderNames.HOST, ""));
    }

    private static SslContext upstreamTls() {
        try {
            // nginx does not verify upstream certificates unless proxy_ssl_verify is on.
            return SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }
}
