package io.ferry.resolver;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddresses;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Netty's DNS client, one per event loop and resolver setting, on the loop of the client
 * connection that asks (no thread hop), with nginx's cache in front: an answer is kept for its
 * TTL, or for {@code valid=}; the configured servers are asked in turn.
 */
public final class DnsResolvers {
    /** Expired answers are swept once a loop's cache holds this many names. */
    private static final int SWEEP_AT = 4096;
    private static final FastThreadLocal<Map<ResolverSettings, Loop>> PER_LOOP = new FastThreadLocal<>() {
        @Override
        protected Map<ResolverSettings, Loop> initialValue() {
            return new HashMap<>();
        }
    };

    private record Cached(List<InetAddress> addresses, long expires) {
    }

    /** One loop's client and cache for one resolver setting. */
    private record Loop(DnsNameResolver dns, Map<String, Cached> cache) {
    }

    private DnsResolvers() {
    }

    /** Every address of {@code host}, or a failure whose message is nginx's "CODE: TEXT"; call on {@code downstream}'s loop. */
    public static Future<List<InetAddress>> resolve(Channel downstream, ResolverSettings settings, String host) {
        Loop loop = PER_LOOP.get().computeIfAbsent(settings, s -> new Loop(build(downstream, s), new HashMap<>()));
        String key = host.toLowerCase(Locale.ROOT);
        long now = System.nanoTime();
        Promise<List<InetAddress>> promise = downstream.eventLoop().newPromise();
        Cached cached = loop.cache().get(key);
        if (cached != null && now - cached.expires() < 0) {
            return promise.setSuccess(cached.addresses());
        }
        NameLookup.lookup(loop.dns(), downstream.eventLoop(), settings, host).addListener((Future<NameLookup.Answer> f) -> {
            if (!f.isSuccess()) {
                promise.setFailure(f.cause());
                return;
            }
            NameLookup.Answer answer = f.getNow();
            long seconds = settings.valid() != null ? settings.valid().toSeconds() : answer.ttlSeconds();
            if (loop.cache().size() >= SWEEP_AT) {
                long at = System.nanoTime();
                loop.cache().values().removeIf(c -> at - c.expires() >= 0);
            }
            if (seconds > 0) {
                loop.cache().put(key, new Cached(answer.addresses(), System.nanoTime() + seconds * 1_000_000_000L));
            }
            promise.setSuccess(answer.addresses());
        });
        return promise;
    }

    private static DnsNameResolver build(Channel downstream, ResolverSettings s) {
        return client(downstream.eventLoop(),
                io.ferry.net.Transport.onEpoll(downstream) ? EpollDatagramChannel.class : NioDatagramChannel.class, s);
    }

    /** A client asking {@code s}'s servers in turn, without a cache of its own, on {@code loop}. */
    static DnsNameResolver client(EventLoop loop, Class<? extends DatagramChannel> type, ResolverSettings s) {
        return new DnsNameResolverBuilder(loop)
                .datagramChannelType(type)
                .nameServerProvider(hostname -> DnsServerAddresses.rotational(s.servers()).stream())
                .queryServerAddressStream(DnsServerAddresses.rotational(s.servers()).stream())
                .resolveCache(NoopDnsCache.INSTANCE)
                .queryTimeoutMillis(s.timeout().toMillis())
                .recursionDesired(true)
                .build();
    }
}
