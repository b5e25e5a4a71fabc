package io.ferry.gateway;

import io.ferry.cache.HttpCache;
import io.ferry.http.Exchange;
import io.ferry.module.limitrate.LimitRateModule;
import io.ferry.upstream.NextUpstream.Condition;
import io.ferry.upstream.Peer;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Map;

/**
 * An attempt whose response is a CGI header block and a body (FastCGI's STDOUT, a uwsgi or SCGI
 * application's stream): the head goes through intercept_errors, X-Accel-*, the hidden headers and
 * the cache as nginx's upstream does, the body is cut at a declared Content-Length.
 */
public abstract class CgiAttempt extends UpstreamAttempt {
    private static final int MAX_RESPONSE_HEADER = 32 * 1024;

    protected final Exchange ex;
    private final UpstreamExchange owner;
    private final CgiSettings settings;
    private final String scheme;
    private final CgiResponseHead head;
    private boolean bodyless;
    /** Content-Length the application declared (-1: none), and body bytes passed on so far. */
    private long declaredLength = -1;
    private long bodyBytes;

    /** {@code scheme} names the upstream in logs; with {@code statusLine} the head may start with "HTTP/1.x NNN". */
    protected CgiAttempt(UpstreamExchange owner, Peer peer, CgiSettings settings, String scheme, boolean statusLine) {
        super(owner, peer);
        this.owner = owner;
        this.ex = owner.ex;
        this.settings = settings;
        this.scheme = scheme;
        this.head = new CgiResponseHead(MAX_RESPONSE_HEADER, statusLine);
    }

    @Override
    protected void dispose() {
        head.release();
    }

    /** Whether the header block was read whole. */
    protected final boolean headDone() {
        return head.done();
    }

    /** Whether fewer body bytes came than the Content-Length the application declared. */
    protected final boolean bodyShort() {
        return declaredLength >= 0 && bodyBytes < declaredLength && !bodyless;
    }

    /** Response bytes of the protocol's stream: the header block first, then the body; the caller keeps {@code data}. */
    protected final void onResponseBytes(ByteBuf data) {
        ByteBuf body;
        if (head.done()) {
            body = data.retain();
        } else {
            try {
                body = head.feed(channel().alloc(), data);
                if (body == null) {
                    return;
                }
                startResponse(head.parse());
            } catch (CgiResponseHead.InvalidHeaderException e) {
                failed(Condition.INVALID_HEADER, HttpResponseStatus.BAD_GATEWAY,
                        e.getMessage() + " while reading response header from upstream");
                return;
            }
            if (!current() || !responding()) {
                body.release();
                return;
            }
        }
        writeBodyDown(body);
    }

    private void startResponse(CgiResponseHead.Parsed parsed) throws CgiResponseHead.InvalidHeaderException {
        int code = parsed.status();
        timing().status(code);
        HttpHeaders received = new DefaultHttpHeaders();
        parsed.headers().forEach(h -> received.add(h.getKey(), h.getValue()));
        timing().headers(received);
        if (retryOnStatus(HttpResponseStatus.valueOf(code))) {
            return;
        }
        if (code == 304 && HttpCache.revalidated(ex, received, settings.buffering().ignored())) {
            succeeded();
            discard();
            return;
        }
        if (settings.interceptErrors() && code == 401 && received.contains(HttpHeaderNames.WWW_AUTHENTICATE)) {
            // Kept for the error_page that may answer instead, as nginx does.
            ex.keepHeader("WWW-Authenticate", received.getAll(HttpHeaderNames.WWW_AUTHENTICATE));
        }
        if (settings.interceptErrors() && code >= 300 && ex.settings().errorPages().containsKey(code)) {
            HttpCache.storeError(ex, code, received, settings.buffering().ignored());
        }
        if (settings.interceptErrors() && code >= 300 && ex.errorPage(code)) {
            // PREFIX_intercept_errors: error_page took the request elsewhere; this response is dropped.
            succeeded();
            discard();
            return;
        }
        // read with the head, as nginx does, so a rate carries over an X-Accel-Redirect
        if (!settings.buffering().ignored().contains(BufferSettings.Ignored.X_ACCEL_LIMIT_RATE)) {
            LimitRateModule.fromUpstream(ex, parsed.header("x-accel-limit-rate"));
        }
        String accel = parsed.header("x-accel-redirect");
        if (accel != null && !settings.buffering().ignored().contains(BufferSettings.Ignored.X_ACCEL_REDIRECT)) {
            ex.accelRedirect(accel);
            succeeded();
            discard();
            return;
        }
        HttpResponseStatus status = parsed.reason() == null ? HttpResponseStatus.valueOf(code)
                : new HttpResponseStatus(code, parsed.reason());
        HttpResponse down = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        try {
            for (Map.Entry<String, String> h : parsed.headers()) {
                String name = h.getKey();
                if (name.equalsIgnoreCase("content-length") || settings.hiddenHeaders().contains(name)) {
                    continue;
                }
                String value = h.getValue();
                if (name.equalsIgnoreCase("location") && value.startsWith("/") && !value.startsWith("//")) {
                    value = ex.scheme() + "://" + ex.request().headers().get(HttpHeaderNames.HOST, ex.host()) + value;
                }
                down.headers().add(name, value);
            }
        } catch (IllegalArgumentException e) {
            throw new CgiResponseHead.InvalidHeaderException("upstream sent invalid header: " + e.getMessage());
        }
        bodyless = ex.isHead() || code == 204 || code == 304 || code < 200;
        String length = parsed.header("content-length");
        if (length != null) {
            try {
                declaredLength = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declaredLength = -1;
            }
            if (declaredLength < 0) {
                throw new CgiResponseHead.InvalidHeaderException("upstream sent invalid \"Content-Length\" header: \""
                        + length + "\"");
            }
        }
        if (declaredLength >= 0 && !(code == 204 || code == 304 || code < 200)) {
            down.headers().set(HttpHeaderNames.CONTENT_LENGTH, declaredLength);
        } else if (!bodyless) {
            down.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        owner.tee = HttpCache.store(ex, code, received, down, settings.buffering().ignored());
        respond(down, settings.buffering().forResponse(parsed.header("x-accel-buffering")));
        if (ex.isHead()) {
            // As nginx: a HEAD needs no body, so the rest of the response is not read and the
            // connection cannot be reused.
            finish(LastHttpContent.EMPTY_LAST_CONTENT, false);
        }
    }

    private void writeBodyDown(ByteBuf body) {
        if (bodyless || !body.isReadable()) {
            body.release();
            return;
        }
        if (declaredLength >= 0) {
            long room = declaredLength - bodyBytes;
            if (room <= 0) {
                body.release();
                return;
            }
            if (body.readableBytes() > room) {
                ex.errorLog().warn("upstream sent more data than specified in \"Content-Length\" header, upstream: \"{}://{}\"",
                        scheme, peer().server().addressText());
                ByteBuf cut = body.retainedSlice(body.readerIndex(), (int) room);
                body.release();
                body = cut;
            }
        }
        bodyBytes += body.readableBytes();
        forward(new DefaultHttpContent(body));
    }
}
