package io.ferry.cache;

import io.ferry.files.FileParts;
import io.ferry.files.Preconditions;
import io.ferry.http.Exchange;
import io.ferry.module.range.RangeModule;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A hit: the stored head, then the body straight from the entry's file (a file region where the connection allows). */
final class CachedResponse {
    /** Framing is the connection's, decided anew for each answer: never stored. */
    private static final Set<String> FRAMING = Set.of("transfer-encoding", "content-length", "connection", "keep-alive");

    private CachedResponse() {
    }

    static List<Map.Entry<String, String>> storedHeaders(HttpHeaders headers) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            if (!FRAMING.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                out.add(h);
            }
        }
        return out;
    }

    static void send(Exchange ex, RandomAccessFile raf, CacheFile entry) {
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, new HttpResponseStatus(entry.status(), entry.reason()));
        for (Map.Entry<String, String> h : entry.headers()) {
            res.headers().add(h.getKey(), h.getValue());
        }
        long length = entry.bodyLength();
        if (entry.status() == 200) {
            switch (Preconditions.forResponse(ex, res.headers().get("ETag"), res.headers().get("Last-Modified"))) {
                case PRECONDITION_FAILED -> {
                    close(raf);
                    ex.sendError(HttpResponseStatus.PRECONDITION_FAILED, false);
                    return;
                }
                case NOT_MODIFIED -> {
                    res.setStatus(HttpResponseStatus.NOT_MODIFIED);
                    length = 0;
                }
                default -> {
                }
            }
        }
        if (res.status().code() != 204 && res.status().code() != 304) {
            res.headers().set("Content-Length", length);
        }
        // a hit is a file, so its parts can be sent as a file's are (nginx: allow_ranges on a cached response)
        RangeModule.allowRanges(ex);
        ex.prepare(res, false);
        FileParts.send(ex, res, raf, entry.bodyOffset(), length);
    }

    static void close(RandomAccessFile raf) {
        try {
            raf.close();
        } catch (IOException e) {
            // read-only: nothing was lost
        }
    }
}
