package io.ferry.proxy;

import io.ferry.http.Exchange;
import io.ferry.websocket.WebSocketUpgrade;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Builds the request line and headers sent upstream, as nginx's proxy module does: the configured
 * proxy_set_header values first (Host $proxy_host and Connection close unless overridden), then
 * the client's headers minus hop-by-hop ones and those the configuration sets.
 */
final class UpstreamRequest {
    private UpstreamRequest() {
    }

    static HttpRequest build(Exchange ex, ProxySettings proxy) {
        HttpRequest client = ex.request();
        boolean upgrade = proxy.websocketAuto() && WebSocketUpgrade.isWebSocket(client);
        boolean chunked = HttpUtil.isTransferEncodingChunked(client);
        HttpVersion version = upgrade || chunked || proxy.httpVersion().equals("1.1") ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        HttpRequest up = new DefaultHttpRequest(version, client.method(), uri(ex, proxy.target()));
        HttpHeaders out = up.headers();
        for (HeaderSetting h : proxy.headers()) {
            String value = h.value().render(ex);
            if (!value.isEmpty()) {
                out.add(h.name(), value);
            }
        }
        Set<String> hop = HopByHop.names(client.headers());
        for (Map.Entry<String, String> e : client.headers()) {
            String name = e.getKey();
            if (!hop.contains(name) && !configured(proxy, name) && !name.equalsIgnoreCase("expect")
                    && !name.equalsIgnoreCase("content-length")) {
                out.add(name, e.getValue());
            }
        }
        if (upgrade) {
            if (!out.contains(HttpHeaderNames.UPGRADE)) {
                out.set("Upgrade", client.headers().get(HttpHeaderNames.UPGRADE));
            }
            out.set("Connection", HttpHeaderValues.UPGRADE);
        }
        // proxy_set_header Content-Length decides, even "" (nginx's way to send an auth subrequest without a length)
        if (chunked) {
            out.set("Transfer-Encoding", HttpHeaderValues.CHUNKED);
        } else if (client.headers().contains(HttpHeaderNames.CONTENT_LENGTH) && !configured(proxy, "content-length")) {
            out.set("Content-Length", client.headers().get(HttpHeaderNames.CONTENT_LENGTH));
        }
        return up;
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
     */
    static String uri(Exchange ex, ProxyTarget target) {
        if (target.uri() == null || ex.uriLeftLocation()) {
            String raw = ex.request().uri();
            if (raw.startsWith("/") && !ex.targetRewritten()) {
                return raw;
            }
            String args = ex.args();
            return escape(ex.uri()) + (args == null ? "" : "?" + args);
        }
        String path = ex.uri();
        String rest = path.startsWith(target.locationPrefix()) ? path.substring(target.locationPrefix().length()) : path;
        String args = ex.args();
        return target.uri() + escape(rest) + (args == null ? "" : "?" + args);
    }

    /** Re-escapes a decoded path the way nginx's ngx_escape_uri does for a URI. */
    static String escape(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '#' || c == '%' || c == '?' || c == '<' || c == '>'
                    || c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' || c == '}') {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }
}
