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

/**
 * When an expired entry may still answer (PREFIX_cache_use_stale): the upstream failures listed,
 * "updating" while another request refreshes the entry, and the stale-while-revalidate and
 * stale-if-error extensions of the stored Cache-Control unless PREFIX_ignore_headers names it.
 */
record StaleUse(Set<Condition> conditions, boolean updating, boolean honourCacheControl) {
    private static final Set<Condition> ALLOWED = EnumSet.of(Condition.ERROR, Condition.TIMEOUT, Condition.INVALID_HEADER,
            Condition.HTTP_500, Condition.HTTP_502, Condition.HTTP_503, Condition.HTTP_504, Condition.HTTP_403,
            Condition.HTTP_404, Condition.HTTP_429);
    /** A claim older than this no longer counts (see {@link Claim}). */
    private static final long CLAIM_AGE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

    /**
     * A request refreshing an entry, nginx's node->updating: {@code owner} is the $request_id of a
     * background refresh's main request (its subrequest shares it), or "" for a client's own. Only
     * the claim itself releases it (identity, not equality), and one older than {@link
     * #CLAIM_AGE_NANOS} no longer counts, so a refresh whose end was never seen cannot leave the
     * entry answering stale for good.
     */
    static final class Claim {
        private final String owner;
        private final long since = System.nanoTime();

        private Claim(String owner) {
            this.owner = owner;
        }

        private boolean live(long now) {
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

    /** Marks the entry {@code hex} of {@code index} as being refreshed by {@code owner}; null when another request already is. */
    static Claim beginRefresh(CacheIndex index, String hex, String owner) {
        Claim mine = new Claim(owner);
        Claim held = index.refreshing.putIfAbsent(hex, mine);
        return held == null || (!held.live(mine.since) && index.refreshing.replace(hex, held, mine)) ? mine : null;
    }

    /** Whether the entry is being refreshed in the background for the main request {@code requestId}. */
    static boolean refreshingFor(CacheIndex index, String hex, String requestId) {
        Claim held = index.refreshing.get(hex);
        return held != null && held.live(System.nanoTime()) && requestId.equals(held.owner);
    }

    static void endRefresh(CacheIndex index, String hex, Claim claim) {
        index.refreshing.remove(hex, claim);
    }
}
