package io.ferry.cache;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.Level;
import io.ferry.upstream.NextUpstream.Condition;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When an expired entry may still answer (PREFIX_cache_use_stale): the upstream failures listed,
 * "updating" while another request refreshes the entry, and the stale-while-revalidate and
 * stale-if-error extensions of the stored Cache-Control unless PREFIX_ignore_headers names it.
 */
record StaleUse(Set<Condition> conditions, boolean updating, boolean honourCacheControl) {
    private static final Set<Condition> ALLOWED = EnumSet.of(Condition.ERROR, Condition.TIMEOUT, Condition.INVALID_HEADER,
            Condition.HTTP_500, Condition.HTTP_502, Condition.HTTP_503, Condition.HTTP_504, Condition.HTTP_403,
            Condition.HTTP_404, Condition.HTTP_429);
    /**
     * The entries a request is refreshing, by file, with the $request_id of a background refresh's
     * main request (its subrequest shares it) or "" for a client's own: nginx's node->updating.
     * A claim older than {@link #CLAIM_AGE_NANOS} no longer counts, so a refresh whose end was
     * never seen (a request cut off on a path that does not release it) cannot leave the entry
     * answering stale for good.
     */
    private static final Map<String, Claim> REFRESHING = new ConcurrentHashMap<>();
    private static final long CLAIM_AGE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

    private record Claim(String owner, long since) {
        boolean live(long now) {
            return now - since < CLAIM_AGE_NANOS;
        }
    }

    static StaleUse of(Level level, String prefix) throws ConfException {
        Directive d = level.inherited(prefix + "_cache_use_stale");
        Set<Condition> conditions = EnumSet.noneOf(Condition.class);
        boolean updating = false;
        if (d != null) {
            for (String arg : d.args()) {
                if (arg.equals("off") && d.args().size() == 1) {
                    continue;
                }
                if (arg.equals("updating")) {
                    updating = true;
                    continue;
                }
                Condition c;
                try {
                    c = Condition.valueOf(arg.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    c = null;
                }
                if (c == null || !ALLOWED.contains(c)) {
                    throw Values.error(d, "invalid value \"" + arg + "\"");
                }
                conditions.add(c);
            }
        }
        boolean honour = true;
        for (Directive ignore : level.inheritedAll(prefix + "_ignore_headers")) {
            for (String h : ignore.args()) {
                honour &= !h.equalsIgnoreCase("Cache-Control");
            }
        }
        return new StaleUse(Set.copyOf(conditions), updating, honour);
    }

    /** Seconds of a Cache-Control extension ({@code name=N}) in the stored headers, or 0. */
    long extension(CacheFile entry, String name) {
        if (!honourCacheControl) {
            return 0;
        }
        for (Map.Entry<String, String> h : entry.headers()) {
            if (!h.getKey().equalsIgnoreCase("Cache-Control")) {
                continue;
            }
            String lc = h.getValue().toLowerCase(Locale.ROOT);
            int at = lc.indexOf(name + "=");
            if (at >= 0) {
                String n = lc.substring(at + name.length() + 1).split("[,; ]", 2)[0];
                if (!n.isEmpty() && n.length() < 19 && n.chars().allMatch(Character::isDigit)) {
                    return Long.parseLong(n);
                }
            }
        }
        return 0;
    }

    /** Marks the entry being refreshed, by {@code owner} (see {@link #REFRESHING}); false when another request already is. */
    static boolean beginRefresh(String file, String owner) {
        long now = System.nanoTime();
        Claim mine = new Claim(owner, now);
        Claim held = REFRESHING.putIfAbsent(file, mine);
        return held == null || (!held.live(now) && REFRESHING.replace(file, held, mine));
    }

    /** Whether the entry is being refreshed in the background for the main request {@code requestId}. */
    static boolean refreshingFor(String file, String requestId) {
        Claim held = REFRESHING.get(file);
        return held != null && held.live(System.nanoTime()) && requestId.equals(held.owner());
    }

    static void endRefresh(String file) {
        REFRESHING.remove(file);
    }
}
