package io.ferry.upstream.lb;

import io.ferry.upstream.Peer;
import io.ferry.variable.ConnectionScope;
import io.ferry.variable.Template;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * hash KEY [consistent]. Plain: CRC32 of the key picks by weight, as nginx (and Cache::Memcached) do. Consistent (ketama): every
 * peer owns 160 points per weight on a ring, placed by MD5 of its own name (CRC32 is linear and
 * clusters the points of similar names), so removing one of N peers moves only the keys it owned,
 * about 1/N. Unusable picks move on; after 20, or for an empty key, it falls back to round robin.
 */
public final class Hash implements Balancer {
    private static final int POINTS_PER_WEIGHT = 160;

    private final List<Peer> peers;
    private final Template key;
    private final RoundRobin fallback;
    private final int totalWeight;
    private final long[] ring;
    private final Peer[] owners;

    public Hash(List<Peer> peers, Template key, boolean consistent) {
        this.peers = List.copyOf(peers);
        this.key = key;
        this.fallback = new RoundRobin(peers);
        this.totalWeight = peers.stream().mapToInt(Peer::weight).sum();
        if (consistent) {
            int points = peers.stream().mapToInt(p -> p.weight() * POINTS_PER_WEIGHT).sum();
            long[][] entries = new long[points][];
            int n = 0;
            for (int i = 0; i < peers.size(); i++) {
                Peer p = peers.get(i);
                for (int j = 0; j < p.weight() * POINTS_PER_WEIGHT / 4; j++) {
                    byte[] d = md5(p.server().name() + "-" + j);
                    for (int k = 0; k < 4; k++) {
                        entries[n++] = new long[] {word(d, k), i};
                    }
                }
            }
            Arrays.sort(entries, (a, b) -> Long.compare(a[0], b[0]));
            ring = new long[points];
            owners = new Peer[points];
            for (int i = 0; i < points; i++) {
                ring[i] = entries[i][0];
                owners[i] = peers.get((int) entries[i][1]);
            }
        } else {
            ring = null;
            owners = null;
        }
    }

    private static byte[] md5(String s) {
        try {
            return MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long word(byte[] d, int k) {
        return (d[4 * k] & 0xffL) | (d[4 * k + 1] & 0xffL) << 8 | (d[4 * k + 2] & 0xffL) << 16 | (d[4 * k + 3] & 0xffL) << 24;
    }

    @Override
    public Peer pick(ConnectionScope request, Set<Peer> tried, long now) {
        String k = key.render(request);
        if (k.isEmpty()) {
            // nginx balances an empty key round robin rather than sending every such request to one peer
            return fallback.pick(request, tried, now);
        }
        if (ring != null) {
            int at = Arrays.binarySearch(ring, word(md5(k), 0));
            int index = at >= 0 ? at : -at - 1;
            for (int attempt = 0; attempt < 20; attempt++) {
                Peer p = owners[(index + attempt) % owners.length];
                if (!tried.contains(p) && p.usable(now, fallback.single())) {
                    p.picked(now);
                    return p;
                }
            }
        } else {
            // nginx's Cache::Memcached-compatible walk: ((crc32([REHASH] KEY) >> 16) & 0x7fff) + PREV_HASH
            long hash = 0;
            for (int attempt = 0; attempt < 20; attempt++) {
                hash += (crc(attempt == 0 ? k : attempt + k) >> 16) & 0x7fff;
                Peer p = IpHash.byWeight(peers, hash % totalWeight);
                if (!tried.contains(p) && p.usable(now, fallback.single())) {
                    p.picked(now);
                    return p;
                }
            }
        }
        return fallback.pick(request, tried, now);
    }

    private static long crc(String s) {
        CRC32 crc = new CRC32();
        crc.update(s.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }
}
