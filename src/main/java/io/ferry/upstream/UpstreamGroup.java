package io.ferry.upstream;

import io.ferry.upstream.lb.Balancer;
import io.ferry.upstream.lb.Hash;
import io.ferry.upstream.lb.IpHash;
import io.ferry.upstream.lb.LeastConn;
import io.ferry.upstream.lb.Random;
import io.ferry.upstream.lb.RoundRobin;
import io.ferry.variable.ConnectionScope;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.util.AttributeKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime of one upstream group: peer selection (primaries by the configured method, backups
 * by round robin when no primary is usable), passive health, open-connection counts, and the
 * keepalive pool. Protocol-agnostic: proxy (and later FastCGI, memcached) bring their own codecs.
 */
public final class UpstreamGroup {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    private static final AttributeKey<Peer> COUNTED = AttributeKey.valueOf("ferry.upstream.counted");

    private final Upstream config;
    private final ConnectionPool pool;
    /** The peers of each `server NAME resolve` line, as its last answer gave them; changed under this group's lock. */
    private final Map<ResolvedName, List<Peer>> resolved = new LinkedHashMap<>();
    private final List<Peer> fixed = new ArrayList<>();
    private volatile Members members;
    private volatile Runnable stopResolving = () -> { };

    /** The peers as one request sees them: replaced whole when a name's answer changes them. */
    private record Members(List<Peer> peers, Balancer primary, Balancer backup) {
    }

    public UpstreamGroup(Upstream config) {
        this.config = config;
        for (UpstreamServer s : config.servers()) {
            fixed.add(new Peer(s));
        }
        config.resolve().forEach(name -> resolved.put(name, List.of()));
        this.members = members(fixed);
        this.pool = new ConnectionPool(config.keepalive(), config.keepaliveTimeout(), config.keepaliveRequests(),
                config.keepaliveTime());
    }

    private Members members(List<Peer> all) {
        List<Peer> primaries = new ArrayList<>();
        List<Peer> backups = new ArrayList<>();
        for (Peer p : all) {
            (p.server().backup() ? backups : primaries).add(p);
        }
        Balancer primary = switch (config.balance()) {
            case ROUND_ROBIN -> new RoundRobin(primaries);
            case LEAST_CONN -> new LeastConn(primaries);
            case IP_HASH -> new IpHash(primaries);
            case HASH -> new Hash(primaries, config.hashKey(), config.consistent());
            case RANDOM, RANDOM_TWO -> new Random(primaries, config.balance() == Upstream.Balance.RANDOM_TWO);
        };
        return new Members(List.copyOf(all), primaries.isEmpty() ? null : primary,
                backups.isEmpty() ? null : new RoundRobin(backups));
    }

    /**
     * The peers {@code name} now answers, as nginx's zone resolver applies them: a peer whose server
     * (address, and for SRV its name and weight) is still answered stays the same {@link Peer}, with
     * its failures, open connections and weights; the others leave, and new ones join.
     */
    public synchronized void resolved(ResolvedName name, List<UpstreamServer> answer) {
        List<Peer> before = new ArrayList<>(resolved.getOrDefault(name, List.of()));
        List<Peer> after = new ArrayList<>(answer.size());
        for (UpstreamServer s : answer) {
            Peer kept = null;
            for (Peer p : before) {
                if (p.server().equals(s)) {
                    kept = p;
                    break;
                }
            }
            if (kept != null) {
                before.remove(kept);
            }
            after.add(kept != null ? kept : new Peer(s));
        }
        resolved.put(name, List.copyOf(after));
        List<Peer> all = new ArrayList<>(fixed);
        resolved.values().forEach(all::addAll);
        members = members(all);
    }

    /** The servers each `server NAME resolve` line has now, for the group a reload puts in this one's place. */
    public synchronized Map<ResolvedName, List<UpstreamServer>> resolvedServers() {
        Map<ResolvedName, List<UpstreamServer>> out = new LinkedHashMap<>();
        resolved.forEach((name, peers) -> out.put(name, peers.stream().map(Peer::server).toList()));
        return out;
    }

    /** Called once by whoever keeps this group's names resolved: how to stop when the group is drained. */
    public void onDrain(Runnable stop) {
        this.stopResolving = stop;
    }

    public Upstream config() {
        return config;
    }

    public List<Peer> peers() {
        return members.peers();
    }

    /** How many peers a request may try at most, backups included (nginx's peer.tries). */
    public int peerCount() {
        return members.peers().size();
    }

    /** The next peer for this request, or null when none is usable ("no live upstreams"). */
    public Peer select(ConnectionScope request, Set<Peer> tried) {
        long now = System.nanoTime();
        Members m = members;
        Peer p = m.primary() == null ? null : m.primary().pick(request, tried, now);
        if (p == null && m.backup() != null) {
            p = m.backup().pick(request, tried, now);
        }
        return p;
    }

    /** An idle pooled connection to {@code peer} on this event loop, or null. */
    public Channel pooled(Channel downstream, Peer peer) {
        Channel ch = pool.acquire(downstream.eventLoop(), peer);
        if (ch != null) {
            count(ch, peer);
        }
        return ch;
    }

    /** A new connection to {@code peer}, counted as open until it closes or goes back to the pool. */
    public ChannelFuture connect(Channel downstream, Peer peer, Duration timeout, ChannelHandler initializer) {
        ChannelFuture f = peer.server().unixPath() != null
                ? UpstreamConnector.connectUnix(downstream, peer.server().unixPath(), timeout, initializer)
                : UpstreamConnector.connect(downstream, peer.server().address(), timeout, initializer);
        Channel ch = f.channel();
        ConnectionPool.opening(ch);
        count(ch, peer);
        ch.closeFuture().addListener(x -> uncount(ch));
        return f;
    }

    /** Hands a connection back after a complete exchange; it is pooled when the pool has room, else closed. */
    public void release(Channel ch, Peer peer, boolean reusable) {
        uncount(ch);
        if (!reusable || !pool.release(ch, peer)) {
            ch.close();
        }
    }

    private static void count(Channel ch, Peer peer) {
        if (ch.attr(COUNTED).setIfAbsent(peer) == null) {
            peer.opened();
        }
    }

    private static void uncount(Channel ch) {
        Peer p = ch.attr(COUNTED).getAndSet(null);
        if (p != null) {
            p.closed();
        }
    }

    public void failed(Peer peer, String context) {
        if (peer.failed(System.nanoTime())) {
            LOG.warn("upstream server temporarily disabled while {}, upstream: \"{}\"", context, peer.server().addressText());
        }
    }

    public void succeeded(Peer peer) {
        peer.succeeded();
    }

    /** Closes the idle connections; called when a reload removed or replaced this group. */
    public void drain() {
        stopResolving.run();
        pool.closeAll();
    }
}
