package io.ferry.upstream.lb;

import io.ferry.upstream.Peer;
import io.ferry.variable.ConnectionScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * least_conn: the fewest open connections relative to weight, WebSocket tunnels included, so
 * long-lived sockets spread evenly; ties are broken by weighted round robin, as in nginx.
 */
public final class LeastConn implements Balancer {
    private final List<Peer> peers;
    private final RoundRobin tieBreak;

    public LeastConn(List<Peer> peers) {
        this.peers = List.copyOf(peers);
        this.tieBreak = new RoundRobin(peers);
    }

    @Override
    public Peer pick(ConnectionScope request, Set<Peer> tried, long now) {
        List<Peer> best = new ArrayList<>();
        Peer first = null;
        for (Peer p : peers) {
            if (tried.contains(p) || !p.usable(now, tieBreak.single())) {
                continue;
            }
            if (first == null || (long) p.active() * first.weight() < (long) first.active() * p.weight()) {
                first = p;
                best.clear();
                best.add(p);
            } else if ((long) p.active() * first.weight() == (long) first.active() * p.weight()) {
                best.add(p);
            }
        }
        if (best.isEmpty()) {
            return null;
        }
        return best.size() == 1 ? picked(best.get(0), now) : tieBreak.pickAmong(best, tried, now);
    }

    private static Peer picked(Peer p, long now) {
        p.picked(now);
        return p;
    }
}
