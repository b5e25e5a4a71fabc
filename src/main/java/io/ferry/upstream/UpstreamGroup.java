package io.ferry.upstream;

import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamServer;
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
import java.util.List;
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
    private final List<Peer> peers = new ArrayList<>();
    private final Balancer primary;
    private final Balancer backup;
    private final ConnectionPool pool;

    public UpstreamGroup(Upstream config) {
        this.config = config;
        List<Peer> primaries = new ArrayList<>();
        List<Peer> backups = new ArrayList<>();
        for (UpstreamServer s : config.servers()) {
            Peer p = new Peer(s);
            peers.add(p);
            (s.backup() ? backups : primaries).add(p);
        }
        this.primary = switch (config.balance()) {
            case ROUND_ROBIN -> new RoundRobin(primaries);
            case LEAST_CONN -> new LeastConn(primaries);
            case IP_HASH -> new IpHash(primaries);
            case HASH -> new Hash(primaries, config.hashKey(), config.consistent());
            case RANDOM, RANDOM_TWO -> new Random(primaries, config.balance() == Upstream.Balance.RANDOM_TWO);
        };
        this.backup = backups.isEmpty() ? null : new RoundRobin(backups);
        this.pool = new ConnectionPool(config.keepalive(), config.keepaliveTimeout(), config.keepaliveRequests(),
                config.keepaliveTime());
    }

    public Upstream config() {
        return config;
    }

    public List<Peer> peers() {
        return List.copyOf(peers);
    }

    /** How many peers a request may try at most, backups included (nginx's peer.tries). */
    public int peerCount() {
        return peers.size();
    }

    /** The next peer for this request, or null when none is usable ("no live upstreams"). */
    public Peer select(ConnectionScope request, Set<Peer> tried) {
        long now = System.nanoTime();
        Peer p = primary.pick(request, tried, now);
        if (p == null && backup != null) {
            p = backup.pick(request, tried, now);
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
        pool.closeAll();
    }
}
