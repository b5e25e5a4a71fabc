package io.ferry.http;

import io.ferry.http.syntax.HttpDate;
import io.ferry.http.syntax.UserAgent;

import io.ferry.http.hook.BodyFilter;
import io.ferry.http.hook.ContentHandlers;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.http.product.ProductModule;
import io.ferry.log.LogModule;
import io.ferry.model.ClientTimeouts;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The response side every content handler shares: the head's framing (keep-alive, Connection,
 * Server, Date, the modules' header filters), its body filters, and where its bytes go (the client,
 * or a subrequest's sink). The exchange's lifecycle is {@link Exchange}.
 */
public abstract class ExchangeResponse extends ExchangeVariables {
    final ContentHandlers handlers;
    /** Null for the client's own request. */
    final Subrequest subrequest;
    HttpResponse response;
    boolean keepAlive;
    /** The status error_page answers with instead of the handler's. */
    Integer statusOverride;
    /**
     * Headers set before error_page took the request elsewhere (a redirect's Location, an intercepted
     * 401's WWW-Authenticate): as nginx's headers_out, the response that answers instead carries them.
     */
    private HttpHeaders kept;
    private boolean bodyFiltered;
    private HttpHeaders trailers;

    ExchangeResponse(ChannelHandlerContext ctx, HttpConnectionHandler connection, HttpRequest request, boolean secure,
                     int requestNumber, ContentHandlers handlers, Subrequest subrequest) {
        super(ctx, connection, request, secure, requestNumber);
        this.handlers = handlers;
        this.subrequest = subrequest;
    }

    /** Keeps {@code values} as header {@code name} (replacing what was kept under it) for whatever response comes next. */
    public void keepHeader(CharSequence name, Iterable<String> values) {
        if (kept == null) {
            kept = new DefaultHttpHeaders();
        }
        kept.set(name, values);
    }

    public boolean isHead() {
        return request.method().equals(HttpMethod.HEAD);
    }

    /**
     * Adds the headers every response carries and decides whether the connection survives it:
     * keep-alive needs a client that wants it and keepalive_disable does not name, a length-delimited
     * body, and keepalive_timeout &gt; 0.
     */
    public HttpResponse prepare(HttpResponse response, boolean forceClose) {
        responseStarted = true;
        if (statusOverride != null && response.status().code() != 101) {
            response.setStatus(HttpResponseStatus.valueOf(statusOverride));
        }
        status = response.status().code();
        if (kept != null) {
            for (String name : kept.names()) {
                if (!response.headers().contains(name)) {
                    response.headers().add(name, kept.getAll(name));
                }
            }
        }
        // An upstream's Server and Date (from a proxied peer only when proxy_pass_header names them)
        // stand instead of Ferry's own, as in nginx; add_header cannot replace them.
        boolean upstreamServer = response.headers().contains("Server");
        boolean upstreamDate = response.headers().contains("Date");
        // the filters' own values may name $sent_http_*: they see the head as it stands so far
        this.response = response;
        for (HeaderFilter filter : handlers.headerFilters()) {
            filter.filter((Exchange) this, response);
        }
        // a filter may answer otherwise (the range filter's 206 and 416)
        status = response.status().code();
        // an empty one stands for the upstream's none: neither it nor Ferry's goes out
        if (!upstreamServer) {
            response.headers().set("Server", ProductModule.product(settings));
        } else if (response.headers().get("Server").isEmpty()) {
            response.headers().remove("Server");
        }
        if (!upstreamDate) {
            response.headers().set("Date", HttpDate.now());
        } else if (response.headers().get("Date").isEmpty()) {
            response.headers().remove("Date");
        }
        boolean delimited = HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response)
                || isHead() || response.status().code() == 204 || response.status().code() == 304;
        keepAlive = !forceClose && delimited && HttpUtil.isKeepAlive(request)
                && !settings.keepaliveTimeout().isZero() && !connection.isClosing()
                && requestNumber < settings.clientTimeouts().keepaliveRequests()
                && connection.age().compareTo(settings.clientTimeouts().keepaliveTime()) <= 0
                && !misbehavingBrowser() && !bodyWithheld();
        if (response.status().code() != 101) {
            response.headers().set("Connection", keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
            Duration header = settings.clientTimeouts().keepaliveHeader();
            if (keepAlive && header != null) {
                response.headers().set("Keep-Alive", "timeout=" + header.toSeconds());
            }
        }
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_0) && HttpUtil.isTransferEncodingChunked(response)) {
            HttpUtil.setTransferEncodingChunked(response, false);
            keepAlive = false;
            response.headers().set("Connection", HttpHeaderValues.CLOSE);
            response.headers().remove("Keep-Alive");
        }
        headerBytes = headerSize(response);
        return response;
    }

    /**
     * True while a client that asked to be told before sending its body was not told: it may never
     * send it, so what follows on the connection cannot be framed.
     */
    abstract boolean bodyWithheld();

    /**
     * keepalive_disable: old MSIE may stall on the response to a POST sent over a kept connection, and
     * Safari on macOS may send a POST on one the server already closed (WebKit bug 5760).
     */
    private boolean misbehavingBrowser() {
        String agent = request.headers().get(HttpHeaderNames.USER_AGENT);
        if (agent == null) {
            return false;
        }
        Set<ClientTimeouts.KeepaliveDisable> disable = settings.clientTimeouts().keepaliveDisable();
        return disable.contains(ClientTimeouts.KeepaliveDisable.MSIE6) && request.method().equals(HttpMethod.POST)
                && UserAgent.msie6(agent)
                || disable.contains(ClientTimeouts.KeepaliveDisable.SAFARI) && UserAgent.safari(agent);
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

    /** The response head being prepared or as prepared, or null before; $sent_http_* read it. */
    public HttpResponse response() {
        return response;
    }

    @Override

    public String sentHeader(String name) {
        return response == null ? null : joined(response.headers(), name);
    }

    /** The trailer fields add_trailer gave so far, for $sent_trailer_* (empty until the body ends). */
    public HttpHeaders sentTrailers() {
        if (trailers == null) {
            trailers = DefaultHttpHeadersFactory.trailersFactory().withValidation(false).newHeaders();
        }
        return trailers;
    }

    @Override
    public String sentTrailer(String name) {
        return trailers == null ? null : joined(trailers, name);
    }

    /** nginx joins the fields of one name, as it does for a request's. */
    private static String joined(HttpHeaders headers, String name) {
        List<String> values = headers.getAll(name);
        return values.isEmpty() ? null : values.size() == 1 ? values.get(0) : String.join(", ", values);
    }

    /**
     * The exchange outlives its response as a tunnel, for the log line written when it closes; the
     * heads it no longer needs are let go (each idle WebSocket would otherwise keep them): only the
     * response headers the location's log formats name as $sent_http_* stay, and $upstream_http_*
     * is empty in that line.
     */
    void releaseHeads() {
        if (response != null) {
            Set<String> logged = LogModule.loggedResponseHeaders(settings);
            HttpResponse kept = null;
            if (!logged.isEmpty()) {
                kept = new DefaultHttpResponse(response.protocolVersion(), response.status());
                for (String name : logged) {
                    kept.headers().add(name, response.headers().getAll(name));
                }
            }
            response = kept;
        }
        forgetUpstreamHeaders();
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

    /** Whether a file may go out as a file region: to the client, without TLS, HTTP/2 framing or a body filter. */
    public boolean zeroCopy() {
        return subrequest == null && !bodyFiltered && ctx.pipeline().get(SslHandler.class) == null && !connection.multiplexed();
    }

    /** Whether a body filter rewrites this response's bytes (then a file cannot go out zero-copy). */
    public boolean bodyFiltered() {
        return bodyFiltered;
    }

    public boolean responseStarted() {
        return responseStarted;
    }

    private static long headerSize(HttpResponse response) {
        long n = 9 + 3 + 1 + response.status().reasonPhrase().length() + 2 + 2;
        for (Map.Entry<String, String> h : response.headers()) {
            n += h.getKey().length() + 2 + h.getValue().length() + 2;
        }
        return n;
    }
}
