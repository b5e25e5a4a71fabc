package io.ferry.module.limitconn;

import java.util.HashMap;
import java.util.Map;

/**
 * The counts of one limit_conn_zone, one per key, shared by every event loop of the process; a key
 * is forgotten when its count falls to zero, so the zone's size bounds only the keys in use. Stream's
 * limit_conn counts sessions with the same engine.
 */
public final class Counters {
    public enum Outcome { COUNTED, OVER, FULL }

    private final int capacity;
    private final Map<String, Integer> counts = new HashMap<>();

    public Counters(int capacity) {
        this.capacity = capacity;
    }

    /** One more for {@code key}, unless it already has {@code limit} or a new key does not fit. */
    public synchronized Outcome acquire(String key, int limit) {
        Integer n = counts.get(key);
        if (n == null && counts.size() >= capacity) {
            return Outcome.FULL;
        }
        if (n != null && n >= limit) {
            return Outcome.OVER;
        }
        counts.put(key, n == null ? 1 : n + 1);
        return Outcome.COUNTED;
    }

    public synchronized void release(String key) {
        counts.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
    }
}
