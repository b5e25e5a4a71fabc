package io.ferry.http;

import io.ferry.http.hook.BodyFilter;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.http.hook.ContentHandlers;
import io.ferry.http.hook.BodySink;
import io.ferry.http.hook.SubrequestSink;

import io.ferry.model.ErrorPage;
import io.ferry.model.Location;
import io.ferry.model.LocationSettings;
import io.ferry.model.VirtualServer;
import io.ferry.route.ServerSelector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * One request/response on a downstream connection: the request body hand-off to the content
 * handler, the response framing rules (keep-alive, Connection, Server, Date, header filters) shared
 * by every handler, error pages, and the end of the exchange. Routing and the request phases are
 * {@link RequestPhases}; the variables the request exposes are {@link ExchangeVariables}.
 */
public final class Exchange extends ExchangeVariables {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.ferry.error");
    private final RequestPhases phases = new RequestPhases(this);
    private final ContentHandlers handlers;
    /** Null for the client's own request. */
    private final Subrequest subrequest;
    private BodySink sink;
    /** Body chunks that arrived while the access phase waited, before any handler took the body. */
    private ArrayDeque<HttpContent> heldBody;
    private HttpResponse response;
    private Runnable onAbort;
    private boolean requestComplete;
    private long bodyBytes;
    private boolean keepAlive;
    private boolean responseDone;
    private boolean targetRewritten;
    private Integer statusOverride;
    private boolean errorPageUsed;
    private io.netty.util.concurrent.ScheduledFuture<?> bodyTimer;
    private boolean bodyFiltered;

    Exchange(ChannelHandlerContext ctx, HttpConnectionHandler connection, HttpRequest request, boolean secure, int requestNumber,
             ContentHandlers handlers) {
        super(ctx, connection, request, secure, requestNumber);
        this.handlers = handlers;
        this.subrequest = null;
    }

    private Exchange(Exchange parent, HttpRequest request, Subrequest subrequest) {
        super(parent.ctx, parent.connection, request, parent.secure, parent.requestNumber);
        this.handlers = parent.handlers;
        this.subrequest = subrequest;
        this.requestComplete = true;
        this.server = parent.server;
        this.settings = parent.server.fallback();
        this.target = parent.target;
        remoteAddr(parent.remoteAddr());
    }

    /**
     * Starts a subrequest for {@code uri} (and {@code args}, may be null) in this request's server,
     * as nginx's ngx_http_subrequest: the parent's method and headers, no body, internal (so
     * `internal` locations serve it), from the server rewrite phase on; its response goes to
     * {@code sink}. Returns null when subrequests nest deeper than nginx allows (the error is logged).
     */
    public Exchange subrequest(String uri, String args, SubrequestSink sink) {
        int depth = subrequest == null ? 1 : subrequest.depth + 1;
        if (depth > Subrequest.MAX_DEPTH) {
            LOG.error("*{} subrequests cycle while processing \"{}\"", connection(), uri);
            return null;
        }
        HttpRequest copy = new DefaultHttpRequest(request.protocolVersion(), request.method(), request.uri(), request.headers().copy());
        Exchange child = new Exchange(this, copy, new Subrequest(ctx, sink, depth));
        onAbort(child::cancel);
        child.rewriteTarget(uri, args);
        child.phases.startSubrequest();
        return child;
    }

    /** Whether this exchange is a subrequest, whose response goes to a sink rather than the client. */
    public boolean isSubrequest() {
        return subrequest != null;
    }

    /** An access check that answered AGAIN decided: the access phase runs again, and goes on from there. */
    public void resumeAccess() {
        if (!responseDone) {
            phases.resumeAccess();
        }
    }

    /** The access phase waits: body bytes that arrive meanwhile are kept for the handler that comes after it. */
    void holdBody() {
        if (heldBody == null) {
            heldBody = new ArrayDeque<>(2);
        }
    }

    void dispatch(ServerSelector sites) {
        phases.start(sites);
    }

    ContentHandlers handlers() {
        return handlers;
    }

    /** An internal redirect to a URI (error_page, try_files, index): the request starts over at the server phase. */
    public void internalRedirect(String uri) {
        phases.internalRedirect(uri);
    }

    /** An internal redirect to "@name": straight to that location's rewrite phase. */
    void namedRedirect(String name) {
        phases.namedRedirect(name);
    }

    /** A rewrite or try_files changed $uri (and maybe $args); $request_uri stays what the client sent. */
    public void rewriteTarget(String path, String query) {
        target = new RequestTarget(target.raw(), path, query, target.absoluteHost());
        targetRewritten = true;
    }

    /**
     * Assigns a variable as auth_request_set does: $args through its set handler (a new query, the
     * request line kept, as nginx's r->args), any other name as a per-request variable.
     */
    public void setVariable(String name, String value) {
        if (name.equals("args")) {
            target = new RequestTarget(target.raw(), target.path(), value, target.absoluteHost());
        } else {
            setUserVariable(name, value);
        }
    }

    /** Whether $uri/$args differ from the request line (proxy_pass without URI then sends them, as nginx). */
    public boolean targetRewritten() {
        return targetRewritten;
    }

    /** An `if` inside the location matched: its block's configuration serves the request from now on. */
    public void useIfBlock(LocationSettings block) {
        phases.useIfBlock(block);
    }

    /** The matched location's path ("" at the server level), for metrics labels. */
    public String locationName() {
        return phases.locationName();
    }

    // ---- request side -------------------------------------------------------------------------

    public HttpRequest request() {
        return request;
    }

    public ChannelHandlerContext context() {
        return ctx;
    }

    public Channel channel() {
        return ctx.channel();
    }

    public RequestTarget target() {
        return target;
    }

    public LocationSettings settings() {
        return settings;
    }

    public VirtualServer server() {
        return server;
    }

    public boolean isSecure() {
        return secure;
    }

    public boolean isHead() {
        return request.method().equals(HttpMethod.HEAD);
    }

    public boolean requestComplete() {
        return requestComplete;
    }

    /** Routes the body to {@code sink}; until a sink is set, chunks are discarded. */
    public void bodySink(BodySink sink) {
        this.sink = sink;
        if (sink != null && subrequest != null) {
            // a subrequest has no body: its end comes at once
            sink.onBody(new DefaultLastHttpContent());
        }
        HttpContent held;
        while (sink != null && heldBody != null && (held = heldBody.poll()) != null) {
            sink.onBody(held);
        }
    }

    /** Called when the exchange is cut off (client gone, body too large) so the handler can release upstream resources. */
    public void onAbort(Runnable onAbort) {
        this.onAbort = onAbort;
    }

    /** Asks the client for the next body chunk: body bytes are read only as fast as they are forwarded. */
    public void requestMoreBody() {
        if (!requestComplete) {
            if (bodyTimer == null) {
                long ms = settings.clientTimeouts().body().toMillis();
                bodyTimer = ctx.executor().schedule(this::bodyTimedOut, ms, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            ctx.read();
        }
    }

    /** client_body_timeout: no body bytes between two reads for that long. */
    private void bodyTimedOut() {
        bodyTimer = null;
        if (requestComplete || responseDone) {
            return;
        }
        LOG.info("*{} client timed out (110: Connection timed out) while reading client request body, client: {}",
                connection(), remoteAddr());
        if (responseStarted) {
            abort();
        } else {
            abortHandler();
            sendPage(HttpResponseStatus.REQUEST_TIMEOUT, null, true);
        }
    }

    void onBody(HttpContent chunk) {
        if (bodyTimer != null) {
            bodyTimer.cancel(false);
            bodyTimer = null;
        }
        if (chunk instanceof LastHttpContent) {
            requestComplete = true;
        }
        bodyBytes += chunk.content().readableBytes();
        if (chunk.decoderResult().isFailure() || (settings.clientMaxBodySize() > 0 && bodyBytes > settings.clientMaxBodySize())) {
            ReferenceCountUtil.release(chunk);
            requestComplete = false;
            HttpResponseStatus status = chunk.decoderResult().isFailure()
                    ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
            if (responseStarted) {
                abort();
            } else {
                abortHandler();
                sendError(status, true);
            }
            return;
        }
        if (sink != null && !responseDone) {
            sink.onBody(chunk);
        } else if (heldBody != null && !responseDone) {
            heldBody.add(chunk);
        } else {
            ReferenceCountUtil.release(chunk);
        }
        if (requestComplete && responseDone) {
            connection.finished(this, keepAlive);
        }
    }

    void downstreamClosed() {
        if (!responseDone) {
            responseDone = true;
            clientGone = !responseStarted;
            abortHandler();
        }
    }

    private void abortHandler() {
        releaseHeldBody();
        Runnable r = onAbort;
        onAbort = null;
        if (r != null) {
            r.run();
        }
    }

    // ---- response side ------------------------------------------------------------------------

    /**
     * Adds the headers every response carries and decides whether the connection survives it:
     * keep-alive needs a client that wants it, a length-delimited body, and keepalive_timeout &gt; 0.
     */
    public HttpResponse prepare(HttpResponse response, boolean forceClose) {
        responseStarted = true;
        if (statusOverride != null && response.status().code() != 101) {
            response.setStatus(HttpResponseStatus.valueOf(statusOverride));
        }
        status = response.status().code();
        // An upstream's Server and Date (from a proxied peer only when proxy_pass_header names them)
        // stand instead of Ferry's own, as in nginx; add_header cannot replace them.
        boolean upstreamServer = response.headers().contains("Server");
        boolean upstreamDate = response.headers().contains("Date");
        for (HeaderFilter filter : handlers.headerFilters()) {
            filter.filter(this, response);
        }
        if (!upstreamServer) {
            response.headers().set("Server", "ferry");
        }
        if (!upstreamDate) {
            response.headers().set("Date", HttpDate.now());
        }
        boolean delimited = HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response)
                || isHead() || response.status().code() == 204 || response.status().code() == 304;
        keepAlive = !forceClose && delimited && HttpUtil.isKeepAlive(request)
                && !settings.keepaliveTimeout().isZero() && !connection.isClosing()
                && requestNumber < settings.clientTimeouts().keepaliveRequests();
        if (response.status().code() != 101) {
            response.headers().set("Connection", keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        }
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_0) && HttpUtil.isTransferEncodingChunked(response)) {
            HttpUtil.setTransferEncodingChunked(response, false);
            keepAlive = false;
            response.headers().set("Connection", HttpHeaderValues.CLOSE);
        }
        headerBytes = headerSize(response);
        this.response = response;
        return response;
    }

    /** Puts a body filter on this response; called by a header filter, before the head is written. */
    public void addBodyFilter(BodyFilter filter) {
        if (subrequest != null) {
            subrequest.install(filter);
        } else {
            ctx.pipeline().get(ResponseFilter.class).install(filter);
        }
        bodyFiltered = true;
    }

    /** The response head as prepared (after the header filters), or null before; $sent_http_* read it. */
    public HttpResponse response() {
        return response;
    }

    @Override
    public String sentHeader(String name) {
        return response == null ? null : response.headers().get(name);
    }

    /** Writes part of the response: to the client, or a subrequest's to its sink. */
    public ChannelFuture write(Object msg) {
        return subrequest != null ? subrequest.write(msg) : ctx.write(msg);
    }

    public ChannelFuture writeAndFlush(Object msg) {
        return subrequest != null ? subrequest.write(msg) : ctx.writeAndFlush(msg);
    }

    public void flush() {
        if (subrequest == null) {
            ctx.flush();
        }
    }

    /** Whether a file may go out as a file region: to the client, without TLS or a body filter. */
    public boolean zeroCopy() {
        return subrequest == null && !bodyFiltered && ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class) == null;
    }

    /** Whether a body filter rewrites this response's bytes (then a file cannot go out zero-copy). */
    public boolean bodyFiltered() {
        return bodyFiltered;
    }

    public boolean responseStarted() {
        return responseStarted;
    }

    /** Ferry's own error answer, unless error_page sends the request elsewhere for this status. */
    public void sendError(HttpResponseStatus status, boolean close) {
        if (!errorPage(status.code())) {
            sendPage(status, null, close);
        }
    }

    /**
     * Follows error_page for {@code code} once per request (nginx's recursive_error_pages off):
     * a URI or @name is served instead, a URL becomes a 302. Returns false when no page applies.
     */
    public boolean errorPage(int code) {
        ErrorPage page = settings.errorPages().get(code);
        if (page == null || errorPageUsed || responseStarted) {
            return false;
        }
        errorPageUsed = true;
        statusOverride = page.keepTargetStatus() ? null : page.status() != null ? page.status() : code;
        String uri = page.uri();
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            statusOverride = null;
            sendRedirect(HttpResponseStatus.FOUND, uri);
            return true;
        }
        if (uri.startsWith("@")) {
            namedRedirect(uri);
            return true;
        }
        if (!request.method().equals(HttpMethod.HEAD)) {
            request.setMethod(HttpMethod.GET);
        }
        internalRedirect(uri);
        return true;
    }

    /** A redirect with nginx's HTML body; a relative location is made absolute from the request's own host. */
    public void sendRedirect(HttpResponseStatus status, String location) {
        if (location.startsWith("/")) {
            location = scheme() + "://" + request.headers().get(HttpHeaderNames.HOST, host()) + location;
        }
        sendPage(status, location, false);
    }

    private void sendPage(HttpResponseStatus status, String location, boolean close) {
        ByteBuf body = ErrorPages.body(ctx.alloc(), status);
        int length = body.readableBytes();
        if (isHead()) {
            body.release();
            body = Unpooled.EMPTY_BUFFER;
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        res.headers().set("Content-Type", "text/html");
        if (location != null) {
            res.headers().set("Location", location);
        }
        res.headers().set("Content-Length", length);
        sendFull(res, close);
    }

    public void sendFull(FullHttpResponse response, boolean close) {
        prepare(response, close || !requestComplete && !expectsNoBody());
        writeAndFlush(response).addListener((ChannelFutureListener) f -> complete(f.isSuccess()));
    }

    /** True when the request declared no body, so the empty end-of-body marker is all that can still arrive. */
    public boolean expectsNoBody() {
        return !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0;
    }

    /** Ends the exchange after its last byte was written; {@code reusable} false closes the connection. */
    public void complete(boolean reusable) {
        if (responseDone) {
            return;
        }
        responseDone = true;
        onAbort = null;
        releaseHeldBody();
        if (subrequest != null) {
            subrequest.finished(this, reusable);
            return;
        }
        keepAlive &= reusable;
        if (!keepAlive) {
            connection.finished(this, false);
        } else if (requestComplete) {
            connection.finished(this, true);
        } else if (!expectsNoBody()) {
            connection.finished(this, false);
        }
        // else: the end-of-body marker is still in flight; onBody finishes the exchange.
    }

    /** The connection stops being HTTP (after a 101): the exchange neither finishes nor aborts it any more. */
    public void detach() {
        responseDone = true;
        onAbort = null;
        sink = null;
    }

    /** The tunnel that replaced this exchange closed: it is logged now, with the bytes of the whole session. */
    public void tunnelClosed() {
        connection.tunnelClosed(this);
    }

    private static long headerSize(HttpResponse response) {
        long n = 9 + 3 + 1 + response.status().reasonPhrase().length() + 2 + 2;
        for (Map.Entry<String, String> h : response.headers()) {
            n += h.getKey().length() + 2 + h.getValue().length() + 2;
        }
        return n;
    }

    /** Cuts the exchange off mid-response: the client sees a truncated response, never a complete-looking one. */
    public void abort() {
        if (!responseDone) {
            responseDone = true;
            abortHandler();
            keepAlive = false;
            if (subrequest != null) {
                subrequest.finished(this, false);
            } else {
                ctx.channel().close();
            }
        }
    }

    /** The parent of this subrequest ended first: its handler lets go of what it holds, nobody is told. */
    private void cancel() {
        if (!responseDone) {
            responseDone = true;
            subrequest.cancelled();
            abortHandler();
        }
    }

    private void releaseHeldBody() {
        HttpContent c;
        while (heldBody != null && (c = heldBody.poll()) != null) {
            c.release();
        }
    }

}
