package io.ferry.proxy;

import io.ferry.http.BodySink;
import io.ferry.http.Exchange;
import io.ferry.model.ProxySettings;
import io.ferry.model.ProxyTarget;
import io.ferry.upstream.UpstreamConnector;
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
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
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
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied request: connect upstream on the client's event loop, stream the request body up
 * and the response down with read-after-write backpressure on both channels, and switch to a raw
 * tunnel when the upstream accepts an upgrade with 101.
 */
final class ProxyExchange extends ChannelInboundHandlerAdapter implements BodySink {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    private static final int MAX_RESPONSE_HEADER = 32 * 1024;
    private static final int MAX_CHUNK = 64 * 1024;
    private static final SslContext UPSTREAM_TLS = upstreamTls();

    private final Exchange ex;
    private final ProxySettings proxy;
    private final boolean upgradeRequested;
    private final ArrayDeque<HttpContent> early = new ArrayDeque<>();
    private final List<ByteBuf> upgradedBytes = new ArrayList<>();
    private Channel upstream;
    private HttpRequest upstreamRequest;
    private ChannelFuture lastDownstreamWrite;
    private boolean upstreamWritePending;
    private boolean skippingInterim;
    private boolean connected;
    private boolean upgraded;
    private boolean finished;

    ProxyExchange(Exchange ex, ProxySettings proxy) {
        this.ex = ex;
        this.proxy = proxy;
        this.upgradeRequested = WebSocketUpgrade.isRequested(ex.request());
    }

    void start() {
        upstreamRequest = UpstreamRequest.build(ex, proxy, upgradeRequested);
        ex.bodySink(this);
        ex.onAbort(this::closeUpstream);
        if (HttpUtil.is100ContinueExpected(ex.request()) && !ex.expectsNoBody()) {
            ex.context().writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        ProxyTarget target = proxy.target();
        ChannelFuture connect = UpstreamConnector.connect(ex.channel(),
                new InetSocketAddress(target.host(), target.port()), proxy.connectTimeout(), new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (target.https()) {
                            ch.pipeline().addLast("ssl", UPSTREAM_TLS.newHandler(ch.alloc(), target.host(), target.port()));
                        }
                        ch.pipeline().addLast("http", new HttpClientCodec(8192, MAX_RESPONSE_HEADER, MAX_CHUNK));
                        ch.pipeline().addLast("idle", new IdleStateHandler(proxy.readTimeout().toMillis(),
                                proxy.sendTimeout().toMillis(), 0, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("proxy", ProxyExchange.this);
                    }
                });
        upstream = connect.channel();
        connect.addListener((ChannelFutureListener) this::connected);
    }

    private void connected(ChannelFuture f) {
        if (finished) {
            f.channel().close();
            return;
        }
        if (!f.isSuccess()) {
            boolean timeout = f.cause() instanceof ConnectTimeoutException;
            logError((timeout ? "upstream timed out (110: Connection timed out)" : "connect() failed (" + Errno.describe(f.cause()) + ")")
                    + " while connecting to upstream");
            fail(timeout ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY);
            return;
        }
        connected = true;
        upstream.write(upstreamRequest);
        HttpContent chunk;
        while ((chunk = early.poll()) != null) {
            writeBody(chunk, early.isEmpty());
        }
        upstream.flush();
        if (!ex.requestComplete() && !upstreamWritePending) {
            ex.requestMoreBody();
        }
        upstream.read();
    }

    /** Chunks that arrive before the connection is up wait in {@code early}: at most what one client read decoded. */
    @Override
    public void onBody(HttpContent chunk) {
        if (!connected && !finished) {
            early.add(chunk);
            return;
        }
        writeBody(chunk, true);
    }

    private void writeBody(HttpContent chunk, boolean flush) {
        if (finished || !upstream.isActive()) {
            ReferenceCountUtil.release(chunk);
            return;
        }
        upstreamWritePending = true;
        ChannelFuture w = flush ? upstream.writeAndFlush(chunk) : upstream.write(chunk);
        boolean last = chunk instanceof LastHttpContent;
        w.addListener((ChannelFutureListener) done -> {
            upstreamWritePending = false;
            if (!done.isSuccess()) {
                return;
            }
            if (!last) {
                ex.requestMoreBody();
            }
        });
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
        if (finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpObject obj && obj.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            logError("upstream sent invalid response: " + obj.decoderResult().cause().getMessage()
                    + " while reading response header from upstream");
            fail(HttpResponseStatus.BAD_GATEWAY);
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
        if (code == 101) {
            if (upgradeRequested) {
                switchProtocols(res);
            } else {
                logError("upstream sent 101 to a request that did not ask to upgrade");
                fail(HttpResponseStatus.BAD_GATEWAY);
            }
            return;
        }
        if (code >= 100 && code < 200) {
            skippingInterim = true;
            return;
        }
        HttpResponse down = new DefaultHttpResponse(HttpVersion.HTTP_1_1, res.status());
        copyEndToEnd(res, down, Set.of("server", "date"));
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
        boolean last = content instanceof LastHttpContent;
        if (last) {
            finished = true;
            ex.context().writeAndFlush(content).addListener((ChannelFutureListener) f -> ex.complete(f.isSuccess()));
            closeUpstream();
        } else {
            lastDownstreamWrite = ex.context().write(content);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (finished || upgraded) {
            return;
        }
        ex.context().flush();
        ChannelFuture w = lastDownstreamWrite;
        if (w == null || w.isDone()) {
            ctx.read();
        } else {
            w.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess() && !finished) {
                    ctx.read();
                }
            });
        }
    }

    /** Hop-by-hop headers and the ones nginx hides by default never go to the client. */
    private static void copyEndToEnd(HttpResponse from, HttpResponse to, Set<String> hidden) {
        Set<String> hop = HopByHop.names(from.headers());
        for (Map.Entry<String, String> e : from.headers()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!hop.contains(name) && !hidden.contains(name) && !name.equals("content-length")) {
                to.headers().add(e.getKey(), e.getValue());
            }
        }
    }

    private void switchProtocols(HttpResponse res) {
        upgraded = true;
        finished = true;
        HttpResponse down = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        copyEndToEnd(res, down, Set.of("server", "date"));
        down.headers().set("Upgrade", res.headers().get(HttpHeaderNames.UPGRADE, "websocket"));
        down.headers().set("Connection", HttpHeaderValues.UPGRADE);
        ex.prepare(down, true);
        ex.onAbort(null);
        ex.context().writeAndFlush(down).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                upgradedBytes.forEach(ByteBuf::release);
                closeUpstream();
                return;
            }
            ex.detach();
            // Not from inside this listener: the upstream decoder may still be mid-read and emit
            // the 101's end marker, which must reach this handler, not the relay.
            upstream.eventLoop().execute(() ->
                    WebSocketTunnel.open(ex.channel(), upstream, upgradedBytes, proxy.readTimeout(), () -> { }));
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof IdleStateEvent idle) || finished) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        boolean waitingOnClient = lastDownstreamWrite != null && !lastDownstreamWrite.isDone();
        switch (idle.state()) {
            case READER_IDLE -> {
                if (!waitingOnClient && !upstreamWritePending) {
                    logError("upstream timed out (110: Connection timed out) while reading response header from upstream");
                    fail(HttpResponseStatus.GATEWAY_TIMEOUT);
                }
            }
            case WRITER_IDLE -> {
                if (upstreamWritePending) {
                    logError("upstream timed out (110: Connection timed out) while sending request to upstream");
                    fail(HttpResponseStatus.GATEWAY_TIMEOUT);
                }
            }
            default -> {
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!finished) {
            logError("upstream prematurely closed connection while reading response header from upstream");
            fail(HttpResponseStatus.BAD_GATEWAY);
        }
        releaseEarly();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!finished) {
            logError("recv() failed (" + Errno.describe(cause) + ") while reading response header from upstream");
            fail(HttpResponseStatus.BAD_GATEWAY);
        }
        ctx.close();
    }

    /** Before the response started the client gets an error page; after, the connection is cut. */
    private void fail(HttpResponseStatus status) {
        if (finished) {
            return;
        }
        finished = true;
        closeUpstream();
        releaseEarly();
        if (ex.responseStarted()) {
            ex.abort();
        } else {
            ex.sendError(status, !ex.requestComplete());
        }
    }

    private void closeUpstream() {
        finished = true;
        if (upstream != null) {
            upstream.close();
        }
    }

    private void releaseEarly() {
        HttpContent c;
        while ((c = early.poll()) != null) {
            c.release();
        }
    }

    private void logError(String what) {
        ProxyTarget t = proxy.target();
        LOG.error("{}, client: {}, server: {}, request: \"{} {} {}\", upstream: \"{}://{}:{}{}\", host: \"{}\"",
                what, ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol(),
                t.https() ? "https" : "http", t.host(), t.port(), upstreamRequest == null ? "" : upstreamRequest.uri(),
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
