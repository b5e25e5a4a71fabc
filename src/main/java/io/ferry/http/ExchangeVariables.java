package io.ferry.http;

import io.ferry.variable.SocketText;

import io.ferry.variable.Seconds;

import io.ferry.http.UpstreamTiming;

import io.ferry.model.LocationSettings;
import io.ferry.model.Slot;
import io.ferry.model.VirtualServer;
import io.ferry.variable.Captures;
import io.ferry.variable.RequestScope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.ferry.tls.ServerNames;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.MatchResult;

/**
 * What an exchange exposes to variables ({@link RequestScope}): the request as routed so far, the
 * response's status and byte counts, the upstream attempts, and the state modules keep per request.
 */
public abstract class ExchangeVariables implements RequestScope {
    final ChannelHandlerContext ctx;
    final HttpConnectionHandler connection;
    final HttpRequest request;
    final boolean secure;
    final int requestNumber;
    private final long startNanos = System.nanoTime();
    private final long inAtStart;
    private final long outAtStart;
    RequestTarget target;
    VirtualServer server;
    LocationSettings settings;
    MatchResult captures;
    boolean responseStarted;
    long headerBytes;
    int status;
    boolean clientGone;
    private boolean uriAddedToAlias;
    private String requestId;
    private List<UpstreamTiming> upstreams;
    private java.util.Map<String, String> userVariables;
    private String realRemoteAddr;
    private String realRemotePort;
    private Object[] moduleContexts;

    ExchangeVariables(ChannelHandlerContext ctx, HttpConnectionHandler connection, HttpRequest request, boolean secure,
                      int requestNumber) {
        this.ctx = ctx;
        this.connection = connection;
        this.request = request;
        this.secure = secure;
        this.requestNumber = requestNumber;
        this.inAtStart = connection.inMark();
        this.outAtStart = connection.traffic().out();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T moduleContext(Slot<T> slot) {
        return moduleContexts == null ? null : (T) moduleContexts[slot.index()];
    }

    @Override
    public <T> T moduleSettings(Slot<T> slot) {
        return settings.module(slot);
    }

    /** A module's state for this request (nginx's ngx_http_set_ctx). */
    public <T> void moduleContext(Slot<T> slot, T context) {
        if (moduleContexts == null) {
            moduleContexts = new Object[Slot.count()];
        }
        moduleContexts[slot.index()] = context;
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

    /** $remote_addr: the peer, unless a post-read hook named another client. */
    @Override
    public String remoteAddr() {
        return realRemoteAddr != null ? realRemoteAddr : SocketText.address(ctx.channel().remoteAddress());
    }

    /** Whether a post-read or pre-access hook (realip) already named the client. */
    public boolean remoteAddrReplaced() {
        return realRemoteAddr != null;
    }

    /** The client a trusted proxy names (realip): $remote_addr from now on. */
    public void remoteAddr(String address) {
        realRemoteAddr = address;
    }

    /** The client's port when the trusted proxy names one too (realip from a PROXY protocol header). */
    public void remotePort(String port) {
        realRemotePort = port;
    }

    @Override
    public String remotePort() {
        return realRemotePort != null ? realRemotePort : SocketText.port(ctx.channel().remoteAddress());
    }

    @Override
    public io.ferry.proxyprotocol.ProxyHeader proxyProtocol() {
        return io.ferry.proxyprotocol.ProxyHeader.of(ctx.channel());
    }

    @Override
    public String serverAddr() {
        return SocketText.address(ctx.channel().localAddress());
    }

    @Override
    public String serverPort() {
        return SocketText.port(ctx.channel().localAddress());
    }


    @Override
    public String serverName() {
        return server.primaryName();
    }

    @Override
    public String host() {
        String h = target != null && target.absoluteHost() != null ? target.absoluteHost() : request.headers().get(HttpHeaderNames.HOST);
        h = RequestHost.of(h);
        return h == null ? serverName() : h;
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
    public String connectionTime() {
        return Seconds.of(connection.age().toNanos());
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

    @Override
    public String upstreamHeaderTime() {
        return upstreamField(UpstreamTiming::headerTime);
    }

    @Override
    public String upstreamResponseLength() {
        return upstreamField(UpstreamTiming::responseLength);
    }

    @Override
    public String upstreamBytesReceived() {
        return upstreamField(UpstreamTiming::bytesReceived);
    }

    @Override
    public String upstreamBytesSent() {
        return upstreamField(UpstreamTiming::bytesSent);
    }

    @Override
    public String upstreamHeader(String name) {
        return upstreams == null ? null : upstreams.get(upstreams.size() - 1).header(name);
    }

    @Override
    public String upstreamCookie(String name) {
        return upstreams == null ? null : upstreams.get(upstreams.size() - 1).cookie(name);
    }

    void forgetUpstreamHeaders() {
        if (upstreams != null) {
            upstreams.forEach(UpstreamTiming::forgetHeaders);
        }
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
    public String sslServerName() {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        return ssl == null ? null : ServerNames.requested(ssl.engine().getSession());
    }

    @Override
    public String sslSessionReused() {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        return ssl == null ? null : ServerNames.reused(ssl.engine());
    }

    @Override
    public String sslSessionId() {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        return ssl == null ? null : ServerNames.sessionId(ssl.engine());
    }

    @Override
    public io.ferry.tls.TlsPeer tlsPeer() {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        return ssl == null ? null : new io.ferry.tls.TlsPeer(ctx.channel(), ssl.engine(),
                server == null || server.tls() == null ? io.ferry.tls.ClientVerify.OFF : server.tls().clientVerify());
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
    public boolean uriAddedToAlias() {
        return uriAddedToAlias;
    }

    /** try_files found $uri under a regex location's alias: from now on the alias is its directory. */
    void addUriToAlias() {
        uriAddedToAlias = true;
    }

    @Override
    public String userVariable(String name) {
        return userVariables == null ? null : userVariables.get(name);
    }

    @Override
    public void setUserVariable(String name, String value) {
        java.util.function.BiConsumer<io.ferry.variable.RequestScope, String> setter = io.ferry.module.Modules.variableSetter(name);
        if (setter != null) {
            setter.accept(this, value);
            return;
        }
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
