package io.ferry.proxy;

import io.ferry.cache.HttpCache;
import io.ferry.gateway.BufferSettings;
import io.ferry.module.limitrate.LimitRateModule;
import io.ferry.gateway.UpstreamAttempt;
import io.ferry.gateway.UpstreamExchange;
import io.ferry.http.Exchange;
import io.ferry.http.ServerCodec;
import io.ferry.http.UpstreamTiming;
import io.ferry.model.HeaderNames;
import io.ferry.upstream.NextUpstream.Condition;
import io.ferry.tunnel.Tunnel;
import io.ferry.tunnel.Tunnels;
import io.ferry.upstream.Peer;
import io.ferry.upstream.UpstreamGroup;
import io.ferry.http.v2.TunnelStream;
import io.ferry.websocket.ExtendedConnect;
import io.ferry.websocket.WebSocketKey;
import io.ferry.websocket.WebSocketTunnel;
import io.ferry.websocket.WebSocketUpgrade;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * proxy_pass over the upstream engine: the request goes up as HttpRequest/HttpContent through an
 * HttpClientCodec (TLS first for https), the response comes back with hop-by-hop and hidden
 * headers removed, 1xx interim responses are skipped, and a 101 to an upgrade request hands both
 * connections to a raw tunnel.
 */
final class ProxyExchange extends UpstreamExchange {
    private static final int MAX_CHUNK = 64 * 1024;
    /** Response headers nginx keeps only the first of. */
    private static final Set<String> SINGLE = HeaderNames.caseless(Set.of("content-type", "date", "server",
            "last-modified", "etag", "location", "expires", "accept-ranges", "content-encoding"));

    private static final List<String> PASSABLE = List.of("Date", "Server");

    private final Tunnels tunnels;
    private final ProxySettings proxy;
    private final ProxyTarget target;
    private final boolean upgradeRequested;
    private final HttpRequest upstreamRequest;
    /** proxy_set_body's value, rendered once so every attempt sends the same bytes; null when the client's body goes. */
    private final byte[] body;

    /** {@code target}: the location's proxy_pass URL, or this request's where it has variables. */
    ProxyExchange(Exchange ex, ProxySettings proxy, ProxyTarget target, UpstreamGroup group, Tunnels tunnels) {
        super(ex, group, proxy.nextUpstream(), proxy.connectTimeout(), proxy.readTimeout(), proxy.sendTimeout());
        this.tunnels = tunnels;
        this.proxy = proxy;
        this.target = target;
        this.upgradeRequested = WebSocketUpgrade.isRequested(ex.request());
        this.body = proxy.body() == null ? null : proxy.body().render(ex).getBytes(StandardCharsets.UTF_8);
        this.upstreamRequest = UpstreamRequest.build(ex, proxy, target, body);
    }

    @Override
    protected boolean sendsBody() {
        return proxy.sendsClientBody();
    }

    @Override
    protected boolean ignoresClientAbort() {
        return proxy.buffering().ignoreClientAbort();
    }

    @Override
    protected UpstreamAttempt newAttempt(Peer peer) {
        return new Attempt(peer);
    }

    @Override
    protected String upstreamUrl(Peer peer) {
        return (target.https() ? "https" : "http") + "://"
                + (peer == null ? target.hostHeader() : peer.server().urlText()) + upstreamRequest.uri();
    }

    private final class Attempt extends UpstreamAttempt {
        private boolean skippingInterim;
        private boolean responseReusable;

        Attempt(Peer peer) {
            super(ProxyExchange.this, peer);
        }

        @Override
        protected long limitRate() {
            return proxy.limitRate();
        }

        @Override
        protected void installCodec(Channel ch) {
            if (target.https()) {
                // a unix socket has no host: the handshake names $proxy_host, "localhost", as nginx
                java.net.InetSocketAddress to = peer().server().address();
                SslHandler ssl;
                try {
                    ssl = UpstreamTls.handler(proxy.ssl(), ex, ch.alloc(), target.hostHeader(), to);
                } catch (IOException e) {
                    // a client certificate named by variables that does not load fails this attempt, as in nginx
                    ch.pipeline().addLast("ssl", new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            ctx.fireUserEventTriggered(new SslHandshakeCompletionEvent(
                                    new UpstreamCertificateCheck.Refused(e.getMessage())));
                        }
                    });
                    return;
                }
                // nginx's proxy_connect_timeout covers the handshake too
                ssl.setHandshakeTimeoutMillis(proxy.connectTimeout().toMillis());
                ch.pipeline().addLast("ssl", ssl);
            }
            // nginx takes a bare LF as a line end from upstreams, as RFC 9112 lets a recipient do
            HttpDecoderConfig decoder = new HttpDecoderConfig().setMaxInitialLineLength(proxy.bufferSize())
                    .setMaxHeaderSize(proxy.bufferSize()).setMaxChunkSize(MAX_CHUNK).setStrictLineParsing(false);
            ch.pipeline().addLast("http", new HttpClientCodec(decoder, false, false));
        }

        /** A refused upstream certificate is logged in nginx's words rather than as a failed handshake. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent hs && !hs.isSuccess() && current()) {
                String refused = UpstreamTls.refusal(hs.cause());
                if (refused != null) {
                    failed(Condition.ERROR, HttpResponseStatus.BAD_GATEWAY, refused + " while SSL handshaking to upstream");
                    return;
                }
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void writeRequest() {
            channel().write(upstreamRequest);
            if (!sendsBody()) {
                channel().write(body == null ? LastHttpContent.EMPTY_LAST_CONTENT : new DefaultLastHttpContent(Unpooled.wrappedBuffer(body)));
            }
        }

        @Override
        protected void onMessage(Object msg) {
            if (msg instanceof HttpObject obj && obj.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                if (ex.responseStarted()) {
                    cutOff(HttpResponseStatus.BAD_GATEWAY, "upstream sent invalid response body", null);
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
            timing().status(code);
            timing().headers(res.headers());
            if (code == 101) {
                if (ex.isSubrequest()) {
                    // the connection belongs to the main request: a subrequest cannot hand it to a tunnel (nginx)
                    cutOff(HttpResponseStatus.BAD_GATEWAY, "connection upgrade in subrequest", null);
                } else if (upgradeRequested && !acceptsKey(res)) {
                    failed(Condition.INVALID_HEADER, HttpResponseStatus.BAD_GATEWAY,
                            "upstream sent invalid \"Sec-WebSocket-Accept\" header while reading response header from upstream");
                } else if (upgradeRequested) {
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
            if (code < 300 && ex.request() instanceof ExtendedConnect) {
                // a 2xx would tell the HTTP/2 client its tunnel is open (RFC 8441 §5) while the backend never switched
                failed(Condition.INVALID_HEADER, HttpResponseStatus.BAD_GATEWAY,
                        "upstream answered " + code + " to a WebSocket handshake while reading response header from upstream");
                return;
            }
            String te = res.headers().get(HttpHeaderNames.TRANSFER_ENCODING);
            if (te != null && !(te.equalsIgnoreCase("chunked") && res.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING).size() == 1)) {
                failed(Condition.INVALID_HEADER, HttpResponseStatus.BAD_GATEWAY, "upstream sent unknown \"Transfer-Encoding\": \""
                        + te + "\" while reading response header from upstream");
                return;
            }
            if (retryOnStatus(res.status())) {
                return;
            }
            if (code == 304 && HttpCache.revalidated(ex, res.headers(), proxy.buffering().ignored())) {
                succeeded();
                discard();
                ex.onAbort(null);
                return;
            }
            if (proxy.interceptErrors() && code >= 300 && ex.settings().errorPages().containsKey(code)) {
                // proxy_intercept_errors: the error_page answers instead of the upstream's body; when
                // error_page was already used for this request, Ferry's own page for the status does.
                // Either keeps a 401's challenges, as nginx does.
                HttpCache.storeError(ex, code, res.headers(), proxy.buffering().ignored());
                discard();
                ex.onAbort(null);
                if (code == 401 && res.headers().contains(HttpHeaderNames.WWW_AUTHENTICATE)) {
                    ex.keepHeader("WWW-Authenticate", res.headers().getAll(HttpHeaderNames.WWW_AUTHENTICATE));
                }
                if (!ex.errorPage(code)) {
                    ex.sendError(res.status(), false);
                }
                return;
            }
            // read with the head, as nginx does, so a rate carries over an X-Accel-Redirect
            if (!proxy.buffering().ignored().contains(BufferSettings.Ignored.X_ACCEL_LIMIT_RATE)) {
                LimitRateModule.fromUpstream(ex, res.headers().get("X-Accel-Limit-Rate"));
            }
            String accel = res.headers().get("X-Accel-Redirect");
            if (accel != null && !proxy.buffering().ignored().contains(BufferSettings.Ignored.X_ACCEL_REDIRECT)) {
                discard();
                ex.onAbort(null);
                ex.accelRedirect(accel);
                return;
            }
            responseReusable = HttpUtil.isKeepAlive(res) && HttpUtil.isKeepAlive(upstreamRequest);
            HttpResponse down = new DefaultHttpResponse(HttpVersion.HTTP_1_1, res.status());
            copyEndToEnd(res, down);
            // proxy_pass_header Date or Server with an upstream that sent none: the client gets none either (nginx)
            for (String name : PASSABLE) {
                if (!proxy.hiddenHeaders().contains(name) && !down.headers().contains(name)) {
                    down.headers().set(name, "");
                }
            }
            ProxyRedirect.rewrite(ex, proxy.redirects(), down.headers());
            proxy.cookies().rewrite(ex, down.headers());
            boolean bodyless = ex.isHead() || code == 204 || code == 304;
            if (HttpUtil.isContentLengthSet(res) && !HttpUtil.isTransferEncodingChunked(res)) {
                down.headers().set("Content-Length", res.headers().get(HttpHeaderNames.CONTENT_LENGTH));
            } else if (!bodyless) {
                down.headers().set("Transfer-Encoding", HttpHeaderValues.CHUNKED);
            }
            tee = HttpCache.store(ex, code, res.headers(), down, proxy.buffering().ignored());
            respond(down, proxy.buffering().forResponse(res.headers().get("X-Accel-Buffering")));
        }

        private void onResponseContent(HttpContent content) {
            if (skippingInterim) {
                content.release();
                if (content instanceof LastHttpContent) {
                    skippingInterim = false;
                }
                return;
            }
            if (!responding()) {
                content.release();
                return;
            }
            if (content instanceof LastHttpContent last) {
                finish(last, responseReusable && ex.requestComplete());
            } else {
                forward(content);
            }
        }

        /** The key Ferry sent for an HTTP/2 client is answered as RFC 6455 §4.2.2 requires; an HTTP/1.1 client checks its own. */
        private boolean acceptsKey(HttpResponse res) {
            String key = upstreamRequest.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
            return !(ex.request() instanceof ExtendedConnect) || key == null
                    || WebSocketKey.accept(key).equals(res.headers().get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT));
        }

        private void switchProtocols(HttpResponse res) {
            Channel upstream = channel();
            UpstreamTiming timing = timing();
            Upgraded upgraded = new Upgraded();
            redirectEvents("upgraded", upgraded);
            handOver();
            boolean stream = ex.request() instanceof ExtendedConnect;
            HttpResponse down;
            if (stream) {
                // RFC 8441 §5: a 200 opens the stream's tunnel, and its key answer is for Ferry alone
                down = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                copyEndToEnd(res, down);
                down.headers().remove(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
            } else {
                down = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
                copyEndToEnd(res, down);
                down.headers().set("Upgrade", res.headers().get(HttpHeaderNames.UPGRADE, "websocket"));
                down.headers().set("Connection", HttpHeaderValues.UPGRADE);
            }
            ex.prepare(down, true);
            ex.context().writeAndFlush(down).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    upgraded.bytes.forEach(ByteBuf::release);
                    upstream.close();
                    return;
                }
                ex.detach();
                // The tunnel may live for hours: it keeps only what its end needs (the exchange for the
                // log line, the timing), not this proxy exchange and its upstream request.
                Exchange exchange = ex;
                Tunnels registry = tunnels;
                java.time.Duration idle = proxy.readTimeout();
                // Not from inside this listener: the upstream decoder may still be mid-read and emit
                // the 101's end marker, which must reach the Upgraded handler, not the relay.
                upstream.eventLoop().execute(() -> {
                    Tunnel[] opened = new Tunnel[1];
                    // a backend that closed behind its 101 ends the tunnel while it opens: nothing to register then
                    boolean[] ended = new boolean[1];
                    Class<? extends io.netty.channel.ChannelHandler> codec = stream
                            ? TunnelStream.install(exchange.channel()) : ServerCodec.class;
                    opened[0] = WebSocketTunnel.open(exchange.channel(), codec, upstream, upgraded.bytes, idle, () -> {
                        ended[0] = true;
                        if (opened[0] != null) {
                            registry.closed(opened[0]);
                        }
                        timing.finished();
                        exchange.tunnelClosed();
                    });
                    if (!ended[0]) {
                        registry.opened(opened[0], Tunnels.Kind.WEBSOCKET);
                    }
                });
            });
        }
    }

    /** Keeps what the upstream sent behind its 101 until the tunnel takes the connection. */
    private static final class Upgraded extends ChannelInboundHandlerAdapter {
        final List<ByteBuf> bytes = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            // Whatever the codec makes of these bytes (raw, or "content" when it takes the answer for
            // an old Hixie-76 handshake), they belong to the new protocol.
            if (msg instanceof ByteBuf buf) {
                bytes.add(buf);
            } else if (msg instanceof HttpContent content && content.content().isReadable()) {
                bytes.add(content.content().retain());
                content.release();
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * Hop-by-hop headers and the hidden ones (nginx's defaults, proxy_hide_header) never go to the
     * client; of a header nginx keeps one of, a repeat is logged and dropped.
     */
    private void copyEndToEnd(HttpResponse from, HttpResponse to) {
        Set<String> hop = HopByHop.names(from.headers());
        for (Map.Entry<String, String> e : from.headers()) {
            String name = e.getKey();
            if (hop.contains(name) || proxy.hiddenHeaders().contains(name) || name.equalsIgnoreCase("content-length")) {
                continue;
            }
            if (SINGLE.contains(name) && to.headers().contains(name)) {
                ex.errorLog().warn("*{} upstream sent duplicate header line: \"{}: {}\", previous value: \"{}: {}\", ignoring while reading "
                        + "response header from upstream", ex.connection(), name, e.getValue(), name, to.headers().get(name));
                continue;
            }
            to.headers().add(e.getKey(), e.getValue());
        }
    }
}
