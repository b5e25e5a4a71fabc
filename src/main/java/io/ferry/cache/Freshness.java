package io.ferry.cache;

import io.ferry.gateway.BufferSettings.Ignored;
import io.ferry.http.syntax.HttpDate;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Locale;
import java.util.Set;

/**
 * How long an upstream response may be served from the cache, as nginx decides it: X-Accel-Expires
 * first, then Cache-Control, then Expires, then the PREFIX_cache_valid time of its status; each
 * header counts unless PREFIX_ignore_headers names it. Set-Cookie, and Cache-Control no-cache,
 * no-store or private make it not cacheable.
 */
final class Freshness {
    /** Not cacheable. */
    static final long NEVER = -1;

    private Freshness() {
    }

    /** Epoch milliseconds until which the response is fresh, or {@link #NEVER}. */
    static long validUntil(int status, HttpHeaders h, Set<Ignored> ignored, CachePolicy policy, long now) {
        if (!ignored.contains(Ignored.SET_COOKIE) && h.contains("Set-Cookie")) {
            return NEVER;
        }
        long fromHeaders = fromHeaders(h, ignored, now);
        if (fromHeaders != 0) {
            return fromHeaders;
        }
        long valid = policy.validFor(status);
        return valid > 0 ? now + valid : NEVER;
    }

    /** What the headers alone say: epoch milliseconds, {@link #NEVER}, or 0 when they say nothing. */
    static long fromHeaders(HttpHeaders h, Set<Ignored> ignored, long now) {
        String accel = ignored.contains(Ignored.X_ACCEL_EXPIRES) ? null : h.get("X-Accel-Expires");
        if (accel != null) {
            String v = accel.trim();
            boolean absolute = v.startsWith("@");
            long n = number(absolute ? v.substring(1) : v);
            if (n == 0 && !absolute) {
                return NEVER;
            }
            if (n > 0 || absolute && n == 0) {
                return absolute ? n * 1000 : now + n * 1000;
            }
        }
        long fromHeaders = 0;
        if (!ignored.contains(Ignored.CACHE_CONTROL)) {
            for (String cc : h.getAll("Cache-Control")) {
                String lc = cc.toLowerCase(Locale.ROOT);
                if (lc.contains("no-cache") || lc.contains("no-store") || lc.contains("private")) {
                    return NEVER;
                }
                int at = lc.indexOf("s-maxage=");
                int skip = 9;
                if (at < 0) {
                    at = lc.indexOf("max-age=");
                    skip = 8;
                }
                if (at >= 0) {
                    long n = number(lc.substring(at + skip).split("[,; ]", 2)[0]);
                    if (n == 0) {
                        return NEVER;
                    }
                    if (n > 0) {
                        fromHeaders = now + n * 1000;
                    }
                }
            }
        }
        if (fromHeaders == 0 && !ignored.contains(Ignored.EXPIRES) && h.contains("Expires")) {
            long expires = HttpDate.parse(h.get("Expires"));
            if (expires != -1) {
                if (expires * 1000 <= now) {
                    return NEVER;
                }
                fromHeaders = expires * 1000;
            }
        }
        return fromHeaders;
    }

    /** A non-negative decimal, or -1. */
    private static long number(String s) {
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(s);
    }
}
