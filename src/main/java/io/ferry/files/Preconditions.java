package io.ferry.files;

import io.ferry.http.syntax.HttpDate;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Conditional requests on a file (RFC 9110 section 13.2.2, in its order): If-Match and
 * If-Unmodified-Since fail with 412, If-None-Match (weak comparison) and If-Modified-Since give
 * 304 (If-Range is the range filter's, {@code module.range}). A null ETag (etag off) matches only "*";
 * If-Modified-Since is compared as if_modified_since says.
 */
public final class Preconditions {
    public enum Outcome { PROCEED, NOT_MODIFIED, PRECONDITION_FAILED }

    private Preconditions() {
    }

    /**
     * nginx's not_modified filter on a 200 that is not a file's (a cached upstream response): its
     * ETag and Last-Modified against the request's conditions, compared as the location's
     * if_modified_since says.
     */
    public static Outcome forResponse(io.ferry.http.Exchange ex, String etag, String lastModified) {
        return evaluate(ex.request().headers(), etag, HttpDate.parse(lastModified), FilesModule.of(ex.settings()).ifModifiedSince());
    }

    static String etag(long modifiedSeconds, long length) {
        return "\"" + Long.toHexString(modifiedSeconds) + "-" + Long.toHexString(length) + "\"";
    }

    static Outcome evaluate(HttpHeaders headers, String etag, long modifiedSeconds, FileSettings.IfModifiedSince mode) {
        String ifMatch = headers.get(HttpHeaderNames.IF_MATCH);
        if (ifMatch != null) {
            if (!matches(ifMatch, etag, false)) {
                return Outcome.PRECONDITION_FAILED;
            }
        } else {
            long ius = HttpDate.parse(headers.get(HttpHeaderNames.IF_UNMODIFIED_SINCE));
            if (ius >= 0 && modifiedSeconds > ius) {
                return Outcome.PRECONDITION_FAILED;
            }
        }
        String ifNoneMatch = headers.get(HttpHeaderNames.IF_NONE_MATCH);
        long ims = HttpDate.parse(headers.get(HttpHeaderNames.IF_MODIFIED_SINCE));
        // "off": a response is always modified, so no If-Modified-Since request gets a 304 (nginx).
        if (mode == FileSettings.IfModifiedSince.OFF && ims >= 0) {
            return Outcome.PROCEED;
        }
        if (ifNoneMatch != null) {
            return matches(ifNoneMatch, etag, true) ? Outcome.NOT_MODIFIED : Outcome.PROCEED;
        }
        if (ims >= 0 && (mode == FileSettings.IfModifiedSince.EXACT ? modifiedSeconds == ims : modifiedSeconds <= ims)) {
            return Outcome.NOT_MODIFIED;
        }
        return Outcome.PROCEED;
    }

    /** Whether a list of entity tags (or "*") names {@code etag}; weak comparison ignores W/ on either side. */
    static boolean matches(String list, String etag, boolean weak) {
        if (list.trim().equals("*")) {
            return true;
        }
        for (String tag : list.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                if (!weak) {
                    continue;
                }
                t = t.substring(2);
            }
            if (t.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
