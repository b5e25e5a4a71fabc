package io.ferry.http;

import io.ferry.http.hook.ContentHandlers;
import io.ferry.http.product.ProductModule;
import io.ferry.model.ErrorPage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * The responses an exchange makes itself rather than a handler (nginx's ngx_http_special_response
 * and ngx_http_send_response): 100 Continue, error_page's redirections, Ferry's own error and
 * redirect pages, whole responses sent once the unread body is looked at. Apart from {@link Exchange}
 * because they only need the lifecycle's redirects and completion, not its state.
 */
public abstract class SpecialResponses extends ExchangeResponse {
    private boolean errorPageUsed;
    private boolean continued;
    /** A response held back for one turn of the event loop while the body bytes already received are discarded. */
    private FullHttpResponse deferred;

    SpecialResponses(ChannelHandlerContext ctx, HttpConnectionHandler connection, HttpRequest request, boolean secure,
                     int requestNumber, ContentHandlers handlers, Subrequest subrequest) {
        super(ctx, connection, request, secure, requestNumber, handlers, subrequest);
    }

    public abstract boolean requestComplete();

    public abstract void internalRedirect(String uri);

    abstract void namedRedirect(String name);

    public abstract void complete(boolean reusable);

    /** The exchange is cut off: a response held back is not sent. */
    void dropDeferred() {
        if (deferred != null) {
            deferred.release();
            deferred = null;
        }
    }

    /**
     * "100 Continue" for a client that waits for it before sending the body a handler is about to
     * read. As nginx's ngx_http_test_expect, the answer goes whatever length the client declared:
     * a client that asked has said it waits.
     */
    public void continueIfExpected() {
        if (HttpUtil.is100ContinueExpected(request) && !continued) {
            continued = true;
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
    }

    @Override
    boolean bodyWithheld() {
        return HttpUtil.is100ContinueExpected(request) && !continued && !requestComplete() && !expectsNoBody();
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
        String uri = page.uri().render(this);
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

    /**
     * X-Accel-Redirect from an upstream (nginx's ngx_http_upstream_process_headers): "@name" goes to
     * that location; a URI, with its arguments if it has any, is redirected to internally as GET
     * (HEAD stays HEAD); a URI that could climb out of the tree ("..", NUL) answers 404.
     */
    public void accelRedirect(String target) {
        if (target.startsWith("@")) {
            namedRedirect(target);
            return;
        }
        RequestTarget parsed = RequestTarget.parse(target);
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        if (parsed == null || ("/" + rawPath + "/").contains("/../") || parsed.absoluteHost() != null) {
            sendError(HttpResponseStatus.NOT_FOUND, false);
            return;
        }
        if (!request.method().equals(HttpMethod.HEAD)) {
            request.setMethod(HttpMethod.GET);
        }
        internalRedirect(parsed.path() + (parsed.query() == null ? "" : "?" + parsed.query()));
    }

    /**
     * A redirect with nginx's HTML body; a location starting with "/" is completed as
     * {@link RedirectLocation} says. As in nginx, error_page for the redirect's status may answer
     * instead, keeping the Location.
     */
    public void sendRedirect(HttpResponseStatus status, String location) {
        location = RedirectLocation.of(this, location);
        keepHeader("Location", List.of(location));
        if (!errorPage(status.code())) {
            sendPage(status, location, false);
        }
    }

    /**
     * nginx's 495 (a client certificate that failed verification) and 496 (none where one is
     * required): error_page may take the code; otherwise a 400 naming the problem, and the connection closes.
     */
    void sendCertificateError(int code) {
        if (!errorPage(code)) {
            sendPage(HttpResponseStatus.BAD_REQUEST, ErrorPages.certificateError(ctx.alloc(), code, ProductModule.product(settings)), null, true);
        }
    }

    /** nginx's special response: it answers with its own status, whatever an earlier error_page asked for. */
    void sendPage(HttpResponseStatus status, String location, boolean close) {
        sendPage(status, ErrorPages.body(ctx.alloc(), status, ProductModule.product(settings)), location, close);
    }

    private void sendPage(HttpResponseStatus status, ByteBuf body, String location, boolean close) {
        statusOverride = null;
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

    /**
     * Sends a whole response. When the request's body is still unread, nginx discards what has
     * arrived before answering (ngx_http_send_response, special responses): the response waits one
     * turn of the event loop so the body bytes read with the request are looked at first, and a
     * malformed chunk among them answers 400 instead.
     */
    public void sendFull(FullHttpResponse response, boolean close) {
        if (!close && subrequest == null && !requestComplete() && !expectsNoBody() && deferred == null) {
            deferred = response;
            ctx.executor().execute(() -> {
                FullHttpResponse held = deferred;
                deferred = null;
                if (held != null) {
                    send(held, false);
                }
            });
            return;
        }
        send(response, close);
    }

    private void send(FullHttpResponse response, boolean close) {
        prepare(response, close);
        writeAndFlush(response).addListener((ChannelFutureListener) f -> complete(f.isSuccess()));
    }

    /** True when the request declared no body, so the empty end-of-body marker is all that can still arrive. */
    public boolean expectsNoBody() {
        return !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0;
    }
}
