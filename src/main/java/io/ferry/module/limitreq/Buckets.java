package io.ferry.module.limitreq;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The leaky buckets of one limit_req_zone, one per key, as nginx keeps them: the excess in
 * milli-requests, when it was last updated, and how many requests still hold a lookup that is not
 * accounted yet. Least recently used first, so the oldest states are the ones expired. One lock per
 * zone: every event loop of the process sees the same buckets.
 */
final class Buckets {
    enum Outcome { OK, AGAIN, BUSY, ERROR }

    static final class Bucket {
        private long excess;
        private long last;
        private int count;
    }

    /** A lookup's answer: the bucket (held until accounted when AGAIN) and its excess. */
    record Lookup(Outcome outcome, Bucket bucket, long excess) {
    }

    private final int capacity;
    private final LinkedHashMap<String, Bucket> buckets = new LinkedHashMap<>(16, 0.75f, true);

    Buckets(int capacity) {
        this.capacity = capacity;
    }

    /**
     * nginx's ngx_http_limit_req_lookup: one more request against the key's bucket, refused (BUSY)
     * when the excess would pass {@code burst}; the last limit of a request accounts at once (OK),
     * an earlier one only holds the bucket (AGAIN) until {@link #account} or {@link #unlock}.
     */
    synchronized Lookup lookup(String key, long rate, long burst, boolean account, long now) {
        Bucket b = buckets.get(key);
        if (b == null) {
            expire(1, rate, now);
            if (buckets.size() >= capacity) {
                expire(0, rate, now);
            }
            if (buckets.size() >= capacity) {
                return new Lookup(Outcome.ERROR, null, 0);
            }
            b = new Bucket();
            b.last = now;
            b.count = account ? 0 : 1;
            buckets.put(key, b);
            return new Lookup(account ? Outcome.OK : Outcome.AGAIN, b, 0);
        }
        long ms = elapsed(b, now);
        long excess = Math.max(0, b.excess - rate * ms / 1000 + 1000);
        if (excess > burst) {
            return new Lookup(Outcome.BUSY, b, excess);
        }
        if (account) {
            b.excess = excess;
            if (ms != 0) {
                b.last = now;
            }
            return new Lookup(Outcome.OK, b, excess);
        }
        b.count++;
        return new Lookup(Outcome.AGAIN, b, excess);
    }

    /** nginx's ngx_http_limit_req_account for one held bucket: the request counts now; its new excess. */
    synchronized long account(Bucket b, long rate, long now) {
        long ms = elapsed(b, now);
        long excess = Math.max(0, b.excess - rate * ms / 1000 + 1000);
        if (ms != 0) {
            b.last = now;
        }
        b.excess = excess;
        b.count--;
        return excess;
    }

    /** A later limit refused the request: a held bucket is let go uncounted. */
    synchronized void unlock(Bucket b) {
        b.count--;
    }

    /** Milliseconds since the bucket's last update; a clock that went back counts as none (or 1 when far back), as nginx. */
    private static long elapsed(Bucket b, long now) {
        long ms = now - b.last;
        return ms < -60000 ? 1 : Math.max(ms, 0);
    }

    /**
     * nginx's ngx_http_limit_req_expire: n == 1 drops up to two drained states a minute old, n == 0
     * also drops the least recently used one whatever its excess; a state some request holds stops it.
     */
    private void expire(int n, long rate, long now) {
        Iterator<Bucket> it = buckets.values().iterator();
        while (n < 3 && it.hasNext()) {
            Bucket b = it.next();
            if (b.count > 0) {
                return;
            }
            if (n++ != 0) {
                long ms = Math.abs(now - b.last);
                if (ms < 60000 || b.excess - rate * ms / 1000 > 0) {
                    return;
                }
            }
            it.remove();
        }
    }

    synchronized int size() {
        return buckets.size();
    }
}
