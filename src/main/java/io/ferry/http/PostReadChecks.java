package io.ferry.http;

import io.ferry.http.syntax.RequestHost;

import io.ferry.http.conn.ConnectionModule;
import io.ferry.model.HeaderNames;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What nginx refuses of a request before it looks for a server (ngx_http_process_request_line and
 * _headers): a malformed line or header, a version, method, Host, Expect or coding it does not take.
 * Kept apart from {@link RequestPhases} because it judges the request as received, not where it goes.
 */
final class PostReadChecks {
    /** More header lines than any browser sends; beyond it the request is refused (431). */
    private static final int MAX_HEADERS = 100;
    private static final Set<String> UNIQUE = HeaderNames.caseless(List.of("host", "if-modified-since",
            "if-unmodified-since", "if-match", "if-none-match", "content-length", "content-range", "if-range",
            "transfer-encoding", "expect", "authorization", "proxy-authorization"));

    private PostReadChecks() {
    }

    /**
     * The status that refuses {@code ex}'s request (the connection then closes), or null when it may
     * go on. The request target is parsed into the exchange on the way, at the point nginx parses it,
     * so a request with more than one fault gets the status nginx gives it.
     */
    static HttpResponseStatus refusal(Exchange ex) {
        DecoderResult result = ex.request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            return cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : cause instanceof ServerCodec.UnsupportedTransferCoding ? HttpResponseStatus.NOT_IMPLEMENTED
                    : HttpResponseStatus.BAD_REQUEST;
        }
        int major = ex.request.protocolVersion().majorVersion();
        if (major != 1 && ex.request.protocolVersion() != Exchange.HTTP_2) {
            return major > 1 ? HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED : HttpResponseStatus.BAD_REQUEST;
        }
        if (duplicateRefused(ex)) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        HttpResponseStatus refusedMethod = refusedMethod(ex.request);
        if (refusedMethod != null) {
            return refusedMethod;
        }
        ex.target = RequestTarget.parse(ex.request.uri(), ex.settings.module(ConnectionModule.SETTINGS).mergeSlashes());
        String hostHeader = ex.request.headers().get(HttpHeaderNames.HOST);
        if (hostHeader != null && RequestHost.of(hostHeader) == null) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        if (ex.target == null || (hostHeader == null && (ex.request.protocolVersion().equals(HttpVersion.HTTP_1_1)
                || ex.request.protocolVersion() == Exchange.HTTP_2))) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        if (unmetExpectation(ex.request)) {
            return HttpResponseStatus.EXPECTATION_FAILED;
        }
        if (ex.request.headers().size() > MAX_HEADERS) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        String te = ex.request.headers().get(HttpHeaderNames.TRANSFER_ENCODING);
        if (te != null && !te.trim().equalsIgnoreCase("chunked")) {
            return HttpResponseStatus.NOT_IMPLEMENTED;
        }
        return null;
    }

    /**
     * nginx refuses TRACE (405: it would echo credentials back, the cross-site tracing attack) and
     * CONNECT, which it does not tunnel: 405 for a well-formed "host:port" target, else 400. An HTTP/2
     * extended CONNECT (RFC 8441) is a WebSocket's opening, for the location to answer; any other HTTP/2
     * CONNECT has no request line to judge (its pseudo-headers were checked as it was read): 405.
     */
    private static HttpResponseStatus refusedMethod(HttpRequest request) {
        if (request.method().equals(HttpMethod.TRACE)) {
            return HttpResponseStatus.METHOD_NOT_ALLOWED;
        }
        if (!request.method().equals(HttpMethod.CONNECT) || request instanceof io.ferry.websocket.ExtendedConnect) {
            return null;
        }
        if (request.protocolVersion().equals(Exchange.HTTP_2)) {
            return HttpResponseStatus.METHOD_NOT_ALLOWED;
        }
        String target = request.uri();
        int colon = target.lastIndexOf(':');
        boolean authority = colon > 0 && colon < target.length() - 1 && !target.endsWith("]")
                && RequestHost.ofRequestLine(target) != null;
        return authority ? HttpResponseStatus.METHOD_NOT_ALLOWED : HttpResponseStatus.BAD_REQUEST;
    }

    /**
     * RFC 9110 §10.1.1: 100-continue is the only expectation HTTP defines, so any other one (or one
     * with parameters) cannot be met: 417 rather than a response the client did not ask for. An
     * HTTP/1.0 client's Expect is ignored, as the RFC requires.
     */
    private static boolean unmetExpectation(HttpRequest request) {
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        return expect != null && !request.protocolVersion().equals(HttpVersion.HTTP_1_0)
                && !expect.trim().equalsIgnoreCase(HttpHeaderValues.CONTINUE.toString());
    }

    /**
     * nginx takes these fields once only (ngx_http_process_unique_header_line): a second line of one
     * is a bad request, whatever the values; the line is logged as nginx does.
     */
    private static boolean duplicateRefused(Exchange ex) {
        Map<String, String> seen = null;
        for (Map.Entry<String, String> h : ex.request.headers()) {
            if (UNIQUE.contains(h.getKey())) {
                if (seen == null) {
                    seen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                }
                String previous = seen.putIfAbsent(h.getKey(), h.getValue());
                if (previous != null) {
                    ex.errorLog().info("*{} client sent duplicate header line: \"{}: {}\", previous value: \"{}: {}\""
                            + " while reading client request headers", ex.connection(), h.getKey(), h.getValue(),
                            h.getKey(), previous);
                    return true;
                }
            }
        }
        return false;
    }
}
