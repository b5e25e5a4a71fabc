package io.ferry.module.range;

import io.ferry.http.Exchange;
import io.ferry.http.syntax.HttpDate;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.util.concurrent.atomic.AtomicLong;

/**
 * nginx's range header filter: on a whole 200 of known length whose source can send parts, turns
 * the head into the 206 (or 416) a Range header asks for, and leaves the plan of parts for the
 * source. If-Range is compared with the validators the response goes out with (after add_header):
 * a quoted value with the ETag byte for byte, anything else as a date with Last-Modified.
 */
final class RangeFilter {
    /** nginx numbers multipart boundaries with a counter from 1, printed in 20 digits. */
    private static final AtomicLong BOUNDARY = new AtomicLong();

    private RangeFilter() {
    }

    /** Header names keep nginx's spelling (Netty's constants are lower case). */
    static void filter(Exchange ex, HttpResponse res) {
        if (ex.moduleContext(RangeModule.PLAN) != RangePlan.ALLOWED) {
            return;
        }
        ex.moduleContext(RangeModule.PLAN, null);
        if (res.status().code() != 200 || ex.isSubrequest() || !HttpUtil.isContentLengthSet(res)) {
            return;
        }
        int max = RangeModule.maxRanges(ex);
        if (max == 0) {
            return;
        }
        HttpHeaders req = ex.request().headers();
        String range = req.get(HttpHeaderNames.RANGE);
        if (range == null || range.length() < 7 || !range.regionMatches(true, 0, "bytes=", 0, 6)
                || !sameRepresentation(req.get(HttpHeaderNames.IF_RANGE), res.headers())) {
            res.headers().set("Accept-Ranges", "bytes");
            return;
        }
        long length = HttpUtil.getContentLength(res);
        ByteRanges.Outcome outcome = ByteRanges.parse(range.substring(6), length, max);
        if (outcome instanceof ByteRanges.Partial p) {
            res.setStatus(HttpResponseStatus.PARTIAL_CONTENT);
            res.headers().remove(HttpHeaderNames.ACCEPT_RANGES);
            RangePlan plan;
            if (p.ranges().size() == 1) {
                ByteRanges.Range r = p.ranges().get(0);
                res.headers().set("Content-Range", "bytes " + r.start() + "-" + (r.end() - 1) + "/" + length);
                plan = RangePlan.single(r);
            } else {
                String boundary = String.format("%020d", BOUNDARY.incrementAndGet());
                plan = RangePlan.multipart(p.ranges(), boundary, res.headers().get(HttpHeaderNames.CONTENT_TYPE), length);
                res.headers().set("Content-Type", "multipart/byteranges; boundary=" + boundary);
            }
            res.headers().set("Content-Length", plan.contentLength());
            ex.moduleContext(RangeModule.PLAN, plan);
        } else if (outcome instanceof ByteRanges.NotSatisfiable) {
            res.setStatus(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
            res.headers().set("Content-Range", "bytes */" + length);
            ex.moduleContext(RangeModule.PLAN, RangePlan.NOT_SATISFIABLE);
        } else {
            res.headers().set("Accept-Ranges", "bytes");
        }
    }

    static boolean sameRepresentation(String ifRange, HttpHeaders response) {
        if (ifRange == null) {
            return true;
        }
        if (ifRange.length() >= 2 && ifRange.endsWith("\"")) {
            return ifRange.equals(response.get(HttpHeaderNames.ETAG));
        }
        String lastModified = response.get(HttpHeaderNames.LAST_MODIFIED);
        long modified = lastModified == null ? -1 : HttpDate.parse(lastModified);
        return modified >= 0 && HttpDate.parse(ifRange) == modified;
    }
}
