package io.ferry.http;

import io.ferry.model.AccessRule;
import io.ferry.model.ErrorPage;
import io.ferry.model.Location;
import io.ferry.model.ResponseHeaders;
import io.ferry.model.LocationSettings;
import io.ferry.model.ProxyTarget;
import io.ferry.model.VirtualServer;
import io.ferry.route.LocationMatch;
import io.ferry.route.LocationMatcher;
import io.ferry.route.ServerSelector;
import io.ferry.variable.Captures;
import io.ferry.variable.RequestScope;
import io.ferry.variable.Template;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
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
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.MatchResult;

/**
 * One request/response on a downstream connection: routing, the variables the request exposes,
 * the request body hand-off to the content handler, and the response framing rules (keep-alive,
 * Connection, Server, Date) shared by every handler.
 */
public final class Exchange implements RequestScope {
    /** More header lines than any browser sends; beyond it the request is refused (431). */
    private static final int MAX_HEADERS = 100;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.ferry.error");
    private final ChannelHandlerContext ctx;
    private final HttpConnectionHandler connection;
    private final HttpRequest request;
    private final boolean secure;
    private RequestTarget target;
    private VirtualServer server;
    private LocationSettings settings;
    private MatchResult captures;
    private String requestId;
    private BodySink sink;
    private Runnable onAbort;
    private boolean requestComplete;
    private long bodyBytes;
    private boolean responseStarted;
    private boolean keepAlive;
    private boolean responseDone;
    private final int requestNumber;
    private final long startNanos = System.nanoTime();
    private final long inAtStart;
    private final long outAtStart;
    private long headerBytes;
    private int status;
    private boolean clientGone;
    private List<UpstreamTiming> upstreams;
    private String locationName = "";
    private ContentHandlers handlers;
    private LocationSettings ifSettings;
    private boolean internal;
    private boolean targetRewritten;
    private int redirects;
    private Integer statusOverride;
    private boolean errorPageUsed;
    private java.util.Map<String, String> userVariables;
    private io.netty.util.concurrent.ScheduledFuture<?> bodyTimer;
    private String realRemoteAddr;

    Exchange(ChannelHandlerContext ctx, HttpConnectionHandler connection, HttpRequest request, boolean secure, int requestNumber) {
        this.ctx = ctx;
        this.connection = connection;
        this.request = request;
        this.secure = secure;
        this.requestNumber = requestNumber;
        this.inAtStart = connection.inMark();
        this.outAtStart = connection.traffic().out();
    }

    void dispatch(ServerSelector sites, ContentHandlers handlers) {
        this.handlers = handlers;
        server = sites.defaultServer();
        settings = server.fallback();
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            sendError(cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : cause instanceof ServerCodec.UnsupportedTransferCoding ? HttpResponseStatus.NOT_IMPLEMENTED
                    : HttpResponseStatus.BAD_REQUEST, true);
            return;
        }
        int major = request.protocolVersion().majorVersion();
        if (major != 1) {
            sendError(major > 1 ? HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED : HttpResponseStatus.BAD_REQUEST, true);
            return;
        }
        target = RequestTarget.parse(request.uri());
        String hostHeader = request.headers().get(HttpHeaderNames.HOST);
        if (hostHeader != null && !validHost(hostHeader)) {
            sendError(HttpResponseStatus.BAD_REQUEST, true);
            return;
        }
        if (target == null || (request.protocolVersion().equals(HttpVersion.HTTP_1_1) && hostHeader == null)
                || request.headers().getAll(HttpHeaderNames.HOST).size() > 1) {
            sendError(HttpResponseStatus.BAD_REQUEST, true);
            return;
        }
        if (request.headers().size() > MAX_HEADERS) {
            sendError(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, true);
            return;
        }
        String te = request.headers().get(HttpHeaderNames.TRANSFER_ENCODING);
        if (te != null && (!te.trim().equalsIgnoreCase("chunked") || request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING).size() > 1)) {
            sendError(HttpResponseStatus.NOT_IMPLEMENTED, true);
            return;
        }
        String host = stripPort(target.absoluteHost() != null ? target.absoluteHost() : hostHeader);
        server = sites.select(host);
        captures = ServerSelector.captures(server, host);
        serverPhase();
    }

    /** Server-level rewrite directives, then the location search (also where internal redirects restart). */
    private void serverPhase() {
        settings = server.fallback();
        locationName = "";
        ifSettings = null;
        if (RewriteScript.run(server.fallback().rewrites(), this) == RewriteScript.Outcome.RESPONDED) {
            return;
        }
        findLocation();
    }

    /**
     * Finds the location for $uri and runs its rewrite directives; a rewrite with "last", or one that
     * changed $uri without a flag, searches again (at most 10 times, as nginx).
     */
    private void findLocation() {
        for (int cycle = 0; cycle < 10; cycle++) {
            LocationMatch match = LocationMatcher.find(server.locations(), target.path());
            if (match == null) {
                settings = server.fallback();
                locationName = "";
            } else {
                settings = match.location().settings();
                locationName = match.location().path();
                if (match.captures() != null) {
                    captures = match.captures();
                }
            }
            if (!internal && settings.internal()) {
                sendError(HttpResponseStatus.NOT_FOUND, false);
                return;
            }
            if (locationPhase() != RewriteScript.Outcome.LAST) {
                return;
            }
        }
        cycle();
    }

    /** Location rewrites, then access, try_files and content; LAST when the location must be searched again. */
    private RewriteScript.Outcome locationPhase() {
        ifSettings = null;
        String before = target.path();
        RewriteScript.Outcome o = RewriteScript.run(settings.rewrites(), this);
        if (o == RewriteScript.Outcome.RESPONDED) {
            return o;
        }
        if (o == RewriteScript.Outcome.LAST || (o == RewriteScript.Outcome.CONTINUE && !target.path().equals(before))) {
            return RewriteScript.Outcome.LAST;
        }
        if (ifSettings != null) {
            settings = ifSettings;
        }
        content();
        return RewriteScript.Outcome.BREAK;
    }

    private void content() {
        if (!allowed()) {
            LOG.error("*{} access forbidden by rule, client: {}, server: {}, request: \"{} {} {}\"",
                    connection(), remoteAddr(), serverName(), method(), requestUri(), protocol());
            sendError(HttpResponseStatus.FORBIDDEN, !expectsNoBody());
            return;
        }
        long length = HttpUtil.getContentLength(request, -1L);
        if (settings.clientMaxBodySize() > 0 && length > settings.clientMaxBodySize()) {
            sendError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, true);
            return;
        }
        if (settings.tryFiles() != null && !tryFiles()) {
            return;
        }
        handlers.forLocation(settings).handle(this);
    }

    /** try_files: the first name that exists becomes $uri for this location's handler; else the fallback. */
    private boolean tryFiles() {
        for (Template t : settings.tryFiles().files()) {
            String name = t.render(this);
            boolean dir = name.endsWith("/");
            Path file = settings.documentRoot() == null ? null : settings.documentRoot().resolve(this, name);
            if (file != null && (dir ? Files.isDirectory(file) : Files.isRegularFile(file))) {
                rewriteTarget(name, target.query());
                return true;
            }
        }
        String fallback = settings.tryFiles().fallback().render(this);
        if (fallback.startsWith("=")) {
            sendError(HttpResponseStatus.valueOf(Integer.parseInt(fallback.substring(1))), false);
        } else if (fallback.startsWith("@")) {
            namedRedirect(fallback);
        } else {
            internalRedirect(fallback);
        }
        return false;
    }

    private void cycle() {
        LOG.error("*{} rewrite or internal redirection cycle while processing \"{}\", client: {}, server: {}, request: \"{} {} {}\"",
                connection(), target.path(), remoteAddr(), serverName(), method(), requestUri(), protocol());
        sendError(HttpResponseStatus.INTERNAL_SERVER_ERROR, !expectsNoBody());
    }

    /** An internal redirect to a URI (error_page, try_files): the request starts over at the server phase. */
    public void internalRedirect(String uri) {
        if (++redirects > 10) {
            cycle();
            return;
        }
        internal = true;
        int q = uri.indexOf('?');
        rewriteTarget(q < 0 ? uri : uri.substring(0, q), q < 0 ? target.query() : uri.substring(q + 1));
        serverPhase();
    }

    /** An internal redirect to "@name": straight to that location's rewrite phase. */
    void namedRedirect(String name) {
        Location named = LocationMatcher.named(server.locations(), name);
        if (named == null || ++redirects > 10) {
            LOG.error("*{} could not find named location \"{}\"", connection(), name);
            sendError(HttpResponseStatus.INTERNAL_SERVER_ERROR, !expectsNoBody());
            return;
        }
        internal = true;
        settings = named.settings();
        locationName = named.path();
        if (locationPhase() == RewriteScript.Outcome.LAST) {
            findLocation();
        }
    }

    /** A rewrite or try_files changed $uri (and maybe $args); $request_uri stays what the client sent. */
    void rewriteTarget(String path, String query) {
        target = new RequestTarget(target.raw(), path, query, target.absoluteHost());
        targetRewritten = true;
    }

    /** Whether $uri/$args differ from the request line (proxy_pass without URI then sends them, as nginx). */
    public boolean targetRewritten() {
        return targetRewritten;
    }

    /** An `if` inside the location matched: its block's configuration serves the request from now on. */
    void useIfBlock(LocationSettings block) {
        ifSettings = block;
        settings = block;
    }

    private boolean allowed() {
        if (settings.access().isEmpty() || !(ctx.channel().remoteAddress() instanceof InetSocketAddress remote)) {
            return true;
        }
        for (AccessRule rule : settings.access()) {
            if (rule.matches(remote.getAddress())) {
                return rule.allow();
            }
        }
        return true;
    }

    /** The matched location's path ("" at the server level), for metrics labels. */
    public String locationName() {
        return locationName;
    }

    /** nginx's ngx_http_validate_host: not empty, no '/', '\\', "..", or bytes up to space. */
    private static boolean validHost(String host) {
        if (host.isEmpty() || host.contains("..")) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c == '/' || c == '\\' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static String stripPort(String host) {
        if (host == null) {
            return null;
        }
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close < 0 ? host : host.substring(0, close + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
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
        ResponseHeaderRules.apply(settings.responseHeaders(), response, this);
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
        return response;
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
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> complete(f.isSuccess()));
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

    /** Starts the record of one upstream attempt. */
    public UpstreamTiming upstreamAttempt(String address) {
        if (upstreams == null) {
            upstreams = new java.util.ArrayList<>(1);
        }
        UpstreamTiming t = new UpstreamTiming(address);
        upstreams.add(t);
        return t;
    }

    /** Status as logged: 499 when the client left before any response, 0 if none yet. */
    public int statusCode() {
        return clientGone ? 499 : status;
    }

    public long durationNanos() {
        return System.nanoTime() - startNanos;
    }

    public long bytesSentCount() {
        return connection.traffic().out() - outAtStart;
    }

    public long bytesReceivedCount() {
        return connection.traffic().in() - inAtStart;
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
            ctx.channel().close();
        }
    }

    // ---- RequestScope -------------------------------------------------------------------------

    /** $remote_addr: the peer, or with set_real_ip_from the client a trusted proxy names. */
    @Override
    public String remoteAddr() {
        if (realRemoteAddr == null) {
            realRemoteAddr = RealIpResolver.resolve(server == null ? null : server.realIp(), ctx.channel().remoteAddress(), request);
        }
        return realRemoteAddr;
    }

    @Override
    public String remotePort() {
        return port(ctx.channel().remoteAddress());
    }

    @Override
    public String serverAddr() {
        return address(ctx.channel().localAddress());
    }

    @Override
    public String serverPort() {
        return port(ctx.channel().localAddress());
    }

    private static String address(Object a) {
        return a instanceof InetSocketAddress isa ? isa.getAddress().getHostAddress() : "";
    }

    private static String port(Object a) {
        return a instanceof InetSocketAddress isa ? Integer.toString(isa.getPort()) : "";
    }

    @Override
    public String serverName() {
        return server.primaryName();
    }

    @Override
    public String host() {
        String h = target != null && target.absoluteHost() != null ? target.absoluteHost() : request.headers().get(HttpHeaderNames.HOST);
        h = stripPort(h);
        return h == null || h.isEmpty() ? serverName() : h.toLowerCase(Locale.ROOT);
    }

    @Override
    public String requestHeader(String lowerName) {
        List<String> values = request.headers().getAll(lowerName);
        if (values.isEmpty()) {
            return null;
        }
        return values.size() == 1 ? values.get(0) : String.join(lowerName.equals("cookie") ? "; " : ", ", values);
    }

    @Override
    public String args() {
        return target == null ? null : target.query();
    }

    @Override
    public String uri() {
        return target == null ? "" : target.path();
    }

    @Override
    public String requestUri() {
        return request.uri();
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String scheme() {
        return secure ? "https" : "http";
    }

    @Override
    public String protocol() {
        return request.protocolVersion().text();
    }

    @Override
    public String proxyHost() {
        ProxyTarget t = settings.proxy() == null ? null : settings.proxy().target();
        return t == null ? "" : t.hostHeader();
    }

    @Override
    public String proxyPort() {
        ProxyTarget t = settings.proxy() == null ? null : settings.proxy().target();
        return t == null ? "" : Integer.toString(t.port());
    }

    @Override
    public String requestId() {
        if (requestId == null) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            requestId = String.format("%016x%016x", r.nextLong(), r.nextLong());
        }
        return requestId;
    }

    @Override
    public String capture(int n) {
        return captures != null && n <= captures.groupCount() ? captures.group(n) : null;
    }

    @Override
    public String status() {
        return Integer.toString(statusCode());
    }

    @Override
    public String bodyBytesSent() {
        return Long.toString(Math.max(0, bytesSentCount() - (responseStarted ? headerBytes : 0)));
    }

    @Override
    public String bytesSent() {
        return Long.toString(bytesSentCount());
    }

    @Override
    public String requestLength() {
        return Long.toString(bytesReceivedCount());
    }

    @Override
    public String requestTime() {
        return Seconds.of(durationNanos());
    }

    @Override
    public String connection() {
        return Long.toString(connection.connectionId());
    }

    @Override
    public String connectionRequests() {
        return Integer.toString(requestNumber);
    }

    @Override
    public String upstreamAddr() {
        return upstreamField(UpstreamTiming::address);
    }

    @Override
    public String upstreamStatus() {
        return upstreamField(UpstreamTiming::statusText);
    }

    @Override
    public String upstreamResponseTime() {
        return upstreamField(UpstreamTiming::responseTime);
    }

    @Override
    public String upstreamConnectTime() {
        return upstreamField(UpstreamTiming::connectTime);
    }

    private String upstreamField(java.util.function.Function<UpstreamTiming, String> field) {
        if (upstreams == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (UpstreamTiming t : upstreams) {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(field.apply(t));
        }
        return out.toString();
    }

    @Override
    public String sslProtocol() {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        return ssl == null ? null : ssl.engine().getSession().getProtocol();
    }

    @Override
    public String sslCipher() {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        return ssl == null ? null : ssl.engine().getSession().getCipherSuite();
    }

    @Override
    public String documentRoot() {
        return settings.documentRoot() == null ? null : settings.documentRoot().documentRoot(this);
    }

    @Override
    public String requestFilename() {
        return settings.documentRoot() == null ? null : settings.documentRoot().filename(this, uri());
    }

    @Override
    public String fastcgiScriptName() {
        return settings.fastcgi() == null ? uri() : settings.fastcgi().scriptName(uri());
    }

    @Override
    public String fastcgiPathInfo() {
        return settings.fastcgi() == null ? "" : settings.fastcgi().pathInfo(uri());
    }

    @Override
    public String userVariable(String name) {
        return userVariables == null ? null : userVariables.get(name);
    }

    @Override
    public void setUserVariable(String name, String value) {
        if (userVariables == null) {
            userVariables = new java.util.HashMap<>();
        }
        userVariables.put(name, value);
    }

    @Override
    public String capture(String name) {
        return captures instanceof Captures c ? c.group(name) : null;
    }

    @Override
    public void captures(MatchResult match) {
        this.captures = match;
    }
}
