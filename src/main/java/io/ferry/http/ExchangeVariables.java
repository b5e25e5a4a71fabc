package io.ferry.http;

import io.ferry.http.syntax.RequestHost;


import io.ferry.variable.Seconds;

import io.ferry.http.UpstreamTiming;

import io.ferry.model.LocationSettings;
import io.ferry.model.Slot;
import io.ferry.model.VirtualServer;
import io.ferry.variable.Captures;
import io.ferry.variable.RequestScope;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.MatchResult;

/**
 * What an exchange exposes to variables ({@link RequestScope}) beyond its connection's part
 * ({@link ExchangeConnection}): the request as routed so far, the response's status and byte counts,
 * the upstream attempts, and the state modules keep per request.
 */
public abstract class ExchangeVariables extends ExchangeConnection implements RequestScope {
    final HttpRequest request;
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
    private Object[] moduleContexts;

    ExchangeVariables(ChannelHandlerContext ctx, HttpConnectionHandler connection, HttpRequest request, boolean secure,
                      int requestNumber) {
        super(ctx, connection, secure, requestNumber);
        this.request = request;
    }

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
    public String requestLength() {
        return Long.toString(bytesReceivedCount());
    }

    @Override
    public String requestTime() {
        return Seconds.of(durationNanos());
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
    public io.ferry.tls.TlsPeer tlsPeer() {
        SslHandler ssl = ssl();
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
