package io.ferry.upstream.lb;

import io.ferry.upstream.Peer;
import io.ferry.variable.ConnectionScope;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;

/**
 * nginx's ip_hash: the first three octets of an IPv4 client (its /24) or the whole IPv6 address
 * pick a peer by weight; after 20 unusable picks it falls back to round robin.
 */
public final class IpHash implements Balancer {
    private final List<Peer> peers;
    private final RoundRobin fallback;
    private final int totalWeight;

    public IpHash(List<Peer> peers) {
        this.peers = List.copyOf(peers);
        this.fallback = new RoundRobin(peers);
        this.totalWeight = peers.stream().mapToInt(Peer::weight).sum();
    }

    @Override
    public Peer pick(ConnectionScope request, Set<Peer> tried, long now) {
        byte[] addr = address(request.remoteAddr());
        int octets = addr.length == 4 ? 3 : addr.length;
        int hash = 89;
        for (int attempt = 0; attempt < 20; attempt++) {
            for (int i = 0; i < octets; i++) {
                hash = (hash * 113 + (addr[i] & 0xff)) % 6271;
            }
            Peer p = byWeight(peers, hash % totalWeight);
            if (!tried.contains(p) && p.usable(now, fallback.single())) {
                p.picked(now);
                return p;
            }
        }
        return fallback.pick(request, tried, now);
    }

    static Peer byWeight(List<Peer> peers, long w) {
        for (Peer p : peers) {
            if (w < p.weight()) {
                return p;
            }
            w -= p.weight();
        }
        return peers.get(peers.size() - 1);
    }

    private static byte[] address(String text) {
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            return new byte[4];
        }
    }
}
