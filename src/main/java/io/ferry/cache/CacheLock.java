package io.ferry.cache;

import io.ferry.conf.ConfException;
import io.ferry.http.Exchange;
import io.ferry.module.Level;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PREFIX_cache_lock: one request at a time populates a key the cache does not hold (nginx's node
 * "updating" with its lock_time); the others re-check every half second, as nginx does, until the
 * entry appears, the lock is released, or their PREFIX_cache_lock_timeout passes. A waiter holds
 * no thread: its re-check is a task scheduled on its own event loop.
 */
final class CacheLock {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    /** nginx's longest sleep between two looks at a locked key. */
    private static final long RECHECK_MILLIS = 500;

    /** One location's PREFIX_cache_lock, PREFIX_cache_lock_timeout and PREFIX_cache_lock_age. */
    record Settings(boolean on, long timeoutMillis, long ageMillis) {
        static Settings of(Level level, String prefix) throws ConfException {
            return new Settings(level.flag(prefix + "_cache_lock", false),
                    level.time(prefix + "_cache_lock_timeout", Duration.ofSeconds(5)).toMillis(),
                    level.time(prefix + "_cache_lock_age", Duration.ofSeconds(5)).toMillis());
        }
    }

    /** Each locked key (its hex name) and until when its lock holds (the lock age). */
    private final ConcurrentHashMap<String, Long> locks = new ConcurrentHashMap<>();

    /**
     * Whether the request waits for another one populating its key: then {@code retry} runs on the
     * request's event loop once it is worth looking again. False when the request goes upstream
     * now, either holding the lock or, after its lock timeout, without storing the response.
     */
    static boolean waits(Exchange ex, HttpCache.Lookup lookup, Runnable retry) {
        Settings s = lookup.policy.lock();
        if (!s.on()) {
            return false;
        }
        CacheLock lock = lookup.zone.index().lock;
        long now = System.currentTimeMillis();
        Long until = lock.acquire(lookup.file(), now + s.ageMillis(), now);
        if (until != null) {
            ex.onEnd(() -> lock.locks.remove(lookup.file(), until));
            return false;
        }
        if (lookup.waitUntil == 0) {
            lookup.waitUntil = now + s.timeoutMillis();
            ex.onEnd(() -> lookup.ended = true);
        }
        long left = lookup.waitUntil - now;
        if (left <= 0) {
            LOG.info("*{} cache lock timeout", ex.connection());
            lookup.uncacheable = true;
            return false;
        }
        ex.channel().eventLoop().schedule(() -> {
            if (!lookup.ended) {
                retry.run();
            }
        }, Math.min(left, RECHECK_MILLIS), TimeUnit.MILLISECONDS);
        return true;
    }

    /** The lock's end when the key was free or its last holder outlived the lock age; else null. */
    private Long acquire(String hex, long until, long now) {
        Long[] won = new Long[1];
        locks.compute(hex, (k, held) -> {
            if (held != null && held > now) {
                return held;
            }
            won[0] = until;
            return until;
        });
        return won[0];
    }
}
