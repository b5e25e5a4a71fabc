package io.ferry.upstream.lb;

import io.ferry.upstream.Peer;
import io.ferry.variable.ConnectionScope;
import java.util.List;
import java.util.Set;

/**
 * nginx's smooth weighted round robin: every pick adds each peer's effective weight to its current
 * weight, takes the largest and subtracts the total from it. Weights 3:1 give a,a,b,a interleaved,
 * and a peer's effective weight recovers step by step after failures.
 */
public final class RoundRobin implements Balancer {
    private final List<Peer> peers;
    private final boolean single;

    public RoundRobin(List<Peer> peers) {
        this.peers = List.copyOf(peers);
        this.single = peers.size() == 1;
    }

    @Override
    public Peer pick(ConnectionScope request, Set<Peer> tried, long now) {
        return pickAmong(peers, tried, now);
    }

    synchronized Peer pickAmong(List<Peer> candidates, Set<Peer> tried, long now) {
        Peer best = null;
        int total = 0;
        for (Peer p : candidates) {
            if (tried.contains(p) || !p.usable(now, single)) {
                continue;
            }
            p.currentWeight += p.effectiveWeight;
            total += p.effectiveWeight;
            if (p.effectiveWeight < p.weight()) {
                p.effectiveWeight++;
            }
            if (best == null || p.currentWeight > best.currentWeight) {
                best = p;
            }
        }
        if (best != null) {
            best.currentWeight -= total;
            best.picked(now);
        }
        return best;
    }

    boolean single() {
        return single;
    }
}
