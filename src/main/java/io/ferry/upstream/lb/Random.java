package io.ferry.upstream.lb;

import io.ferry.upstream.Peer;
import io.ferry.variable.ConnectionScope;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * random [two [least_conn]], as nginx's ngx_http_upstream_random_module: a peer drawn with
 * probability proportional to its weight; with {@code two}, two different usable peers are drawn
 * and the one with fewer open connections relative to its weight wins (the first on a tie). A group
 * of one, or more than 20 draws without a usable peer, falls back to round robin.
 */
public final class Random implements Balancer {
    private static final int MAX_DRAWS = 20;

    private final List<Peer> peers;
    /** The cumulative weight before each peer: peer i owns [ranges[i], ranges[i + 1]). */
    private final long[] ranges;
    private final long totalWeight;
    private final boolean two;
    private final RoundRobin fallback;

    public Random(List<Peer> peers, boolean two) {
        this.peers = List.copyOf(peers);
        this.two = two;
        this.fallback = new RoundRobin(peers);
        this.ranges = new long[peers.size()];
        long total = 0;
        for (int i = 0; i < peers.size(); i++) {
            ranges[i] = total;
            total += peers.get(i).weight();
        }
        this.totalWeight = total;
    }

    @Override
    public Peer pick(ConnectionScope request, Set<Peer> tried, long now) {
        if (peers.size() < 2) {
            return fallback.pick(request, tried, now);
        }
        Peer prev = null;
        for (int draws = 1; draws <= MAX_DRAWS; draws++) {
            Peer p = peers.get(index(ThreadLocalRandom.current().nextLong(totalWeight)));
            if (p == prev || tried.contains(p) || !p.usable(now, false)) {
                continue;
            }
            if (!two) {
                p.picked(now);
                return p;
            }
            if (prev != null) {
                Peer chosen = (long) p.active() * prev.weight() > (long) prev.active() * p.weight() ? prev : p;
                chosen.picked(now);
                return chosen;
            }
            prev = p;
        }
        return fallback.pick(request, tried, now);
    }

    /** The peer whose weight range holds {@code x}, by binary search as nginx's peek. */
    int index(long x) {
        int i = 0;
        int j = ranges.length;
        while (j - i > 1) {
            int k = (i + j) >>> 1;
            if (x < ranges[k]) {
                j = k;
            } else {
                i = k;
            }
        }
        return i;
    }
}
