package io.ferry.proxy;

import io.ferry.cache.HttpCache;
import io.ferry.http.Exchange;
import io.ferry.http.RequestTarget;
import io.ferry.websocket.ExtendedConnect;
import io.ferry.websocket.WebSocketKey;
import io.ferry.websocket.WebSocketUpgrade;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;
import java.util.Set;

/**
 * Builds the request line and headers sent upstream, as nginx's proxy module does: the configured
 * proxy_set_header values first (Host $proxy_host and Connection close unless overridden), then
 * the client's headers (unless proxy_pass_request_headers is off) minus hop-by-hop ones and those the
 * configuration sets; the length of the body that goes: the client's, proxy_set_body's, or none.
 */
final class UpstreamRequest {
    private UpstreamRequest() {
    }

    static HttpRequest build(Exchange ex, ProxySettings proxy, ProxyTarget target, byte[] body) {
        HttpRequest client = ex.request();
        boolean upgrade = proxy.websocketAuto() && WebSocketUpgrade.isWebSocket(client);
        // a body read whole goes with its length, whatever framing the client chose (nginx's request buffering)
        io.ferry.http.body.SpooledBody whole = proxy.sendsClientBody() ? ex.keptBody() : null;
        long wholeLength = whole != null && whole.whole() && ex.requestComplete() ? whole.size() : -1;
        boolean chunked = wholeLength < 0 && proxy.sendsClientBody() && HttpUtil.isTransferEncodingChunked(client);
        HttpVersion version = upgrade || chunked || proxy.httpVersion().equals("1.1") ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        HttpRequest up = new DefaultHttpRequest(version, method(ex, proxy), uri(ex, target));
        HttpHeaders out = up.headers();
        for (HeaderSetting h : proxy.headers()) {
            String value = h.value().render(ex);
            if (!value.isEmpty()) {
                out.add(h.name(), value);
            }
        }
        if (proxy.passRequestHeaders()) {
            Set<String> hop = HopByHop.names(client.headers());
            boolean cached = HttpCache.enabled(ex.settings(), HttpCache.Protocol.PROXY);
            for (Map.Entry<String, String> e : client.headers()) {
                String name = e.getKey();
                if (!hop.contains(name) && !configured(proxy, name) && !name.equalsIgnoreCase("expect")
                        && !name.equalsIgnoreCase("content-length") && !(cached && CACHE_CLEARED.contains(name))) {
                    out.add(name, e.getValue());
                }
            }
        }
        HttpCache.conditions(ex, (name, value) -> {
            if (!configured(proxy, name)) {
                out.set(name, value);
            }
        });
        if (client instanceof ExtendedConnect connect && connect.websocket()) {
            // an HTTP/2 client has no handshake key (RFC 8441 §5): the one the backend must answer is Ferry's
            out.set(HttpHeaderNames.SEC_WEBSOCKET_KEY, WebSocketKey.generate());
        }
        if (upgrade) {
            if (!out.contains(HttpHeaderNames.UPGRADE)) {
                out.set("Upgrade", client.headers().get(HttpHeaderNames.UPGRADE));
            }
            out.set("Connection", HttpHeaderValues.UPGRADE);
        }
        // proxy_set_header Content-Length decides, even "" (nginx's way to send an auth subrequest without a length)
        if (configured(proxy, "content-length")) {
            return up;
        }
        if (body != null) {
            out.set("Content-Length", body.length);
        } else if (wholeLength >= 0 && (HttpUtil.isTransferEncodingChunked(client) || wholeLength > 0)) {
            out.set("Content-Length", wholeLength);
        } else if (chunked) {
            out.set("Transfer-Encoding", HttpHeaderValues.CHUNKED);
        } else if (proxy.sendsClientBody() && client.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            out.set("Content-Length", client.headers().get(HttpHeaderNames.CONTENT_LENGTH));
        }
        return up;
    }

    /**
     * With proxy_cache on, the client's conditions and ranges stay here (nginx's proxy cache headers):
     * the upstream's whole answer is what the cache stores, and the cache answers them itself.
     */
    private static final Set<String> CACHE_CLEARED = io.ferry.model.HeaderNames.caseless(Set.of("if-modified-since",
            "if-unmodified-since", "if-none-match", "if-match", "range", "if-range"));

    /** proxy_method's value; one rendering to nothing, or to no valid token, leaves the client's method. */
    private static HttpMethod method(Exchange ex, ProxySettings proxy) {
        String name = proxy.method() == null ? "" : proxy.method().render(ex);
        if (name.isEmpty()) {
            // an HTTP/2 tunnel opens upstream as an HTTP/1.1 client's would, by a GET with Upgrade
            return HttpCache.headAsGet(ex) || ex.request() instanceof ExtendedConnect ? HttpMethod.GET : ex.request().method();
        }
        try {
            return HttpMethod.valueOf(name);
        } catch (IllegalArgumentException e) {
            return ex.request().method();
        }
    }

    /** proxy_set_header names this header (a handful at most, so a scan beats building a set per request). */
    private static boolean configured(ProxySettings proxy, String name) {
        for (HeaderSetting h : proxy.headers()) {
            if (h.name().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Without a URI part the client's request target goes upstream unchanged; with one, the part of
     * the normalized path matching the location prefix is replaced by it (nginx's rule), unless a
     * rewrite with break changed $uri in the location: then $uri goes whole, as without a URI part.
     * A URI part evaluated from variables goes as it is, arguments included.
     */
    static String uri(Exchange ex, ProxyTarget target) {
        if (target.uri() != null && target.locationPrefix() == null) {
            return target.uri();
        }
        if (target.uri() == null || ex.uriLeftLocation()) {
            String raw = ex.request().uri();
            if (raw.startsWith("/") && !ex.targetRewritten()) {
                return raw;
            }
            String args = ex.args();
            return RequestTarget.escape(ex.uri()) + (args == null ? "" : "?" + args);
        }
        String path = ex.uri();
        String rest = path.startsWith(target.locationPrefix()) ? path.substring(target.locationPrefix().length()) : path;
        String args = ex.args();
        return target.uri() + RequestTarget.escape(rest) + (args == null ? "" : "?" + args);
    }
}
