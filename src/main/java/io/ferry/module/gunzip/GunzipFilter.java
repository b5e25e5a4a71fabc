package io.ferry.module.gunzip;

import io.ferry.http.Exchange;
import io.ferry.module.gzip.GzipModule;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

/**
 * The gunzip header filter (ngx_http_gunzip_header_filter): any status, HEAD included, loses its
 * gzip Content-Encoding, length, Accept-Ranges and ETag (the bytes are no longer the ones they
 * describe); only a response with a body gets a {@link GunzipDecoder}.
 */
final class GunzipFilter {

    private GunzipFilter() {
    }

    static void filter(Exchange ex, HttpResponse response) {
        HttpHeaders h = response.headers();
        if (!ex.settings().module(GunzipModule.SETTINGS) || !"gzip".equalsIgnoreCase(h.get(HttpHeaderNames.CONTENT_ENCODING))
                || GzipModule.gzipOk(ex, response)) {
            return;
        }
        h.remove(HttpHeaderNames.CONTENT_ENCODING);
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.remove(HttpHeaderNames.ACCEPT_RANGES);
        h.remove(HttpHeaderNames.ETAG);
        int status = response.status().code();
        if (ex.isHead() || status < 200 || status == 204 || status == 304) {
            return;
        }
        h.set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        ex.addBodyFilter(new GunzipDecoder(failure -> ex.errorLog().error("*{} {}, client: {}, server: {}, request: \"{} {} {}\"",
                ex.connection(), failure, ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol())));
    }
}
