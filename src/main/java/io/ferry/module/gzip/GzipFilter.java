package io.ferry.module.gzip;

import io.ferry.http.Exchange;
import io.ferry.http.syntax.HttpDate;
import io.ferry.http.syntax.UserAgent;
import io.ferry.variable.Regex;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Locale;
import java.util.Set;

/**
 * The gzip header filter (ngx_http_gzip_header_filter): decides per response whether to compress,
 * then rewrites the head (Content-Encoding, no Content-Length or Accept-Ranges, a weak ETag) and puts
 * a {@link GzipEncoder} on the body.
 */
final class GzipFilter {
    private GzipFilter() {
    }

    static void filter(Exchange ex, HttpResponse response) {
        GzipSettings s = GzipModule.SETTINGS.in(ex.settings().modules());
        HttpHeaders h = response.headers();
        int status = response.status().code();
        long length = HttpUtil.getContentLength(response, -1L);
        if (ex.moduleContext(GzipModule.VARY) != null) {
            vary(s, response);
        }
        if (!s.enabled() || (status != 200 && status != 403 && status != 404)
                || !h.get(HttpHeaderNames.CONTENT_ENCODING, "").isEmpty()
                || length >= 0 && length < s.minLength()
                || !s.compresses(mediaType(h.get(HttpHeaderNames.CONTENT_TYPE)))) {
            return;
        }
        vary(s, response);
        if (!acceptable(ex, s, response)) {
            return;
        }
        h.set("Content-Encoding", "gzip");
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.remove(HttpHeaderNames.ACCEPT_RANGES);
        String etag = h.get(HttpHeaderNames.ETAG);
        if (etag != null && etag.startsWith("\"")) {
            h.set("ETag", "W/" + etag);
        }
        if (ex.isHead()) {
            return;
        }
        h.set("Transfer-Encoding", "chunked");
        GzipEncoder encoder = new GzipEncoder(s.level());
        ex.moduleContext(GzipModule.ENCODER, encoder);
        ex.addBodyFilter(encoder);
    }

    /** gzip_vary: the answer depends on Accept-Encoding once the type and length allow compression. */
    static void vary(GzipSettings s, HttpResponse response) {
        if (!s.vary()) {
            return;
        }
        for (String v : response.headers().getAll(HttpHeaderNames.VARY)) {
            if (v.toLowerCase(Locale.ROOT).contains("accept-encoding")) {
                return;
            }
        }
        response.headers().add("Vary", "Accept-Encoding");
    }

    /**
     * ngx_http_gzip_ok: the client accepts gzip (q above 0), speaks gzip_http_version or later, is not
     * named by gzip_disable, and a request that came through a proxy (Via) is allowed by gzip_proxied.
     * {@code response} is null where no response exists yet (gzip_static), as in nginx. A subrequest
     * never is: its output becomes part of the main response, which is compressed as a whole.
     */
    static boolean acceptable(Exchange ex, GzipSettings s, HttpResponse response) {
        if (ex.isSubrequest() || !acceptsGzip(ex.requestHeader("accept-encoding"))) {
            return false;
        }
        if (!s.http10() && ex.request().protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            return false;
        }
        String agent = ex.requestHeader("user-agent");
        if (agent != null) {
            if (s.disableMsie6() && UserAgent.msie6(agent)) {
                return false;
            }
            for (Regex r : s.disable()) {
                if (r.find(agent) != null) {
                    return false;
                }
            }
        }
        return ex.requestHeader("via") == null || proxiedAllowed(ex, s.proxied(), response);
    }

    private static boolean proxiedAllowed(Exchange ex, Set<GzipSettings.Proxied> p, HttpResponse response) {
        if (p.contains(GzipSettings.Proxied.OFF)) {
            return false;
        }
        if (p.contains(GzipSettings.Proxied.ANY)
                || p.contains(GzipSettings.Proxied.AUTH) && ex.requestHeader("authorization") != null) {
            return true;
        }
        if (response == null) {
            return true;
        }
        HttpHeaders h = response.headers();
        String expires = h.get(HttpHeaderNames.EXPIRES);
        if (expires != null) {
            if (!p.contains(GzipSettings.Proxied.EXPIRED)) {
                return false;
            }
            long at = HttpDate.parse(expires);
            long date = h.contains(HttpHeaderNames.DATE) ? HttpDate.parse(h.get(HttpHeaderNames.DATE)) : System.currentTimeMillis() / 1000;
            return at >= 0 && at < date;
        }
        String cc = h.get(HttpHeaderNames.CACHE_CONTROL);
        if (cc != null) {
            String v = cc.toLowerCase(Locale.ROOT);
            return p.contains(GzipSettings.Proxied.NO_CACHE) && v.contains("no-cache")
                    || p.contains(GzipSettings.Proxied.NO_STORE) && v.contains("no-store")
                    || p.contains(GzipSettings.Proxied.PRIVATE) && v.contains("private");
        }
        if (p.contains(GzipSettings.Proxied.NO_LAST_MODIFIED) && h.contains(HttpHeaderNames.LAST_MODIFIED)) {
            return false;
        }
        return !(p.contains(GzipSettings.Proxied.NO_ETAG) && h.contains(HttpHeaderNames.ETAG));
    }

    /** "gzip" among the codings, with no q or a q above zero. */
    static boolean acceptsGzip(String header) {
        if (header == null) {
            return false;
        }
        for (String coding : header.split(",")) {
            String[] parts = coding.split(";");
            if (!parts[0].trim().equalsIgnoreCase("gzip")) {
                continue;
            }
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].trim();
                if (param.regionMatches(true, 0, "q=", 0, 2)) {
                    try {
                        return Double.parseDouble(param.substring(2).trim()) > 0;
                    } catch (NumberFormatException e) {
                        return false;
                    }
                }
            }
            return true;
        }
        return false;
    }

    /** The type without parameters, lower-cased. */
    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }
}
