package io.ferry.resolver;

import io.ferry.upstream.ResolvedName;
import io.ferry.upstream.UpstreamGroup;
import io.ferry.upstream.UpstreamServer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the `server NAME resolve` lines of one upstream group resolved, as nginx's upstream zone
 * does: each name is asked at once, then again when its answer expires (its TTL, or the
 * resolver's valid=, plus a second), and the group's peers follow every answer without a reload.
 * A failed lookup keeps the peers and is retried after resolver_timeout (a second at least);
 * a name that no longer exists ("Host not found") leaves with its peers. The lookups run on one
 * event loop of their own, never on a client's.
 */
public final class GroupResolver {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    private static EventLoopGroup loops;

    private final UpstreamGroup group;
    private final ResolverSettings settings;
    private final EventLoop loop;
    private DnsNameResolver dns;
    private boolean stopped;

    private GroupResolver(UpstreamGroup group, EventLoop loop) {
        this.group = group;
        this.settings = group.config().resolver();
        this.loop = loop;
    }

    /** Starts resolving {@code group}'s names, until the group is drained; nothing for a group without them. */
    public static void start(UpstreamGroup group) {
        if (group.config().resolve().isEmpty()) {
            return;
        }
        GroupResolver r = new GroupResolver(group, loop());
        group.onDrain(() -> r.loop.execute(r::stop));
        r.loop.execute(() -> {
            r.dns = DnsResolvers.client(r.loop, NioDatagramChannel.class, r.settings);
            group.config().resolve().forEach(r::ask);
        });
    }

    private static synchronized EventLoop loop() {
        if (loops == null) {
            loops = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("ferry-resolver", true),
                    NioIoHandler.newFactory());
        }
        return loops.next();
    }

    private void stop() {
        stopped = true;
        if (dns != null) {
            dns.close();
        }
    }

    private void ask(ResolvedName name) {
        if (stopped) {
            return;
        }
        if (name.service() != null) {
            String shown = name.service() + " of " + name.host();
            ServiceLookup.lookup(dns, loop, settings, name.query(), shown).addListener((Future<ServiceLookup.Answer> f) -> {
                if (f.isSuccess()) {
                    answered(name, services(name, f.getNow().targets()), f.getNow().ttlSeconds());
                } else {
                    failed(name, "service " + shown, f.cause());
                }
            });
        } else {
            NameLookup.lookup(dns, loop, settings, name.host()).addListener((Future<NameLookup.Answer> f) -> {
                if (f.isSuccess()) {
                    answered(name, addresses(name, f.getNow().addresses()), f.getNow().ttlSeconds());
                } else {
                    failed(name, name.host(), f.cause());
                }
            });
        }
    }

    private void answered(ResolvedName name, List<UpstreamServer> peers, long ttlSeconds) {
        if (stopped) {
            return;
        }
        group.resolved(name, peers);
        long valid = settings.valid() != null ? settings.valid().toSeconds() : ttlSeconds;
        loop.schedule(() -> ask(name), Math.max(valid, 0) + 1, TimeUnit.SECONDS);
    }

    private void failed(ResolvedName name, String what, Throwable cause) {
        if (stopped) {
            return;
        }
        LOG.error("{} could not be resolved ({})", what, cause.getMessage());
        if (cause instanceof NameLookup.Failure failure && failure.code == NameLookup.NOT_FOUND) {
            answered(name, List.of(), 0);
            return;
        }
        loop.schedule(() -> ask(name), Math.max(settings.timeout().toMillis(), 1000), TimeUnit.MILLISECONDS);
    }

    private static List<UpstreamServer> addresses(ResolvedName name, List<InetAddress> addresses) {
        UpstreamServer t = name.template();
        List<UpstreamServer> peers = new ArrayList<>(addresses.size());
        for (InetAddress a : addresses) {
            peers.add(new UpstreamServer(t.name(), new InetSocketAddress(a, name.port()), t.weight(), t.maxFails(),
                    t.failTimeout(), t.maxConns(), t.backup(), t.down()));
        }
        return peers;
    }

    /**
     * nginx's reading of SRV records: the lowest priority gives primaries and the others backups
     * (a `backup` line keeps only the lowest, as backups); the record's weight is the peer's
     * unless the line set one.
     */
    private static List<UpstreamServer> services(ResolvedName name, List<ServiceLookup.Target> targets) {
        UpstreamServer t = name.template();
        int lowest = targets.stream().mapToInt(ServiceLookup.Target::priority).min().orElse(0);
        List<UpstreamServer> peers = new ArrayList<>(targets.size());
        for (ServiceLookup.Target target : targets) {
            boolean backup = target.priority() != lowest;
            if (backup && t.backup()) {
                continue;
            }
            int weight = t.weight() != 1 ? t.weight() : Math.max(1, target.weight());
            peers.add(new UpstreamServer(target.name(), target.address(), weight, t.maxFails(), t.failTimeout(),
                    t.maxConns(), backup || t.backup(), t.down()));
        }
        return peers;
    }
}
