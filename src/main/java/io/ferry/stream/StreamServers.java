package io.ferry.stream;

import io.ferry.log.AccessLogs;
import io.ferry.model.Listen;
import io.ferry.tls.Tls;
import io.ferry.upstream.Upstream;
import io.ferry.net.ListenerSet;
import io.ferry.net.SocketOptions;
import io.ferry.net.SocketPlan;
import io.ferry.net.Transport;
import io.ferry.tls.TlsContexts;
import io.ferry.tunnel.Tunnels;
import io.ferry.upstream.Upstreams;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The listening sockets of the stream block and every session they accepted. A reload is two
 * steps so that it stays all-or-nothing with the HTTP side: {@link #prepare} builds TLS contexts
 * and binds the new sockets (nothing else changes), then {@link Pending#commit} hands the new
 * configuration to sockets kept open and closes the ones no longer configured; open sessions keep
 * running on the configuration they started with. Stream upstream groups are nginx's separate
 * namespace, so they live in their own {@link Upstreams}.
 */
public final class StreamServers {
    private final Tunnels tunnels;
    private final AccessLogs accessLogs;
    private final Upstreams upstreams = new Upstreams();
    private final ChannelGroup sessions = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ListenerSet<SocketPlan<Site>> listeners;
    private final EventLoopGroup loops;
    private final DatagramListeners datagrams;
    /** UDP's: the JDK's datagram sockets (which send an empty datagram) need NIO loops, of their own where epoll runs the rest. */
    private final EventLoopGroup datagramLoops;

    /**
     * One stream server as a socket serves it: its configuration, for "listen ... ssl" its TLS
     * context, and whether a PROXY protocol header comes first.
     */
    record Site(StreamServer server, SslContext ssl, boolean proxyProtocol) {
    }

    /**
     * {@code shared}: the server's event loops, which stream sessions share (epoll's, where the
     * native transport loads, so that plain sessions are spliced).
     */
    public StreamServers(EventLoopGroup shared, Tunnels tunnels, AccessLogs accessLogs) {
        this.tunnels = tunnels;
        this.accessLogs = accessLogs;
        this.loops = shared;
        this.listeners = new ListenerSet<>(shared, Transport.serverChannel(),
                SocketPlan::address, SocketPlan::options, (listener, ch) -> {
                    sessions.add(ch);
                    Site site = listener.plan().siteFor(ch.localAddress());
                    StreamSession.accept(ch, site, upstreams, tunnels, accessLogs);
                });
        this.datagramLoops = Transport.isNative()
                ? new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("ferry-udp"), NioIoHandler.newFactory()) : shared;
        this.datagrams = new DatagramListeners(datagramLoops, upstreams::group, accessLogs);
    }

    /** What -t adds for stream: every certificate and key loads. */
    public static void check(StreamConfig config) throws IOException {
        for (StreamServer s : config.servers()) {
            if (s.tls() != null) {
                TlsContexts.check(s.tls());
            }
        }
    }

    /** {@code paths} (the HTTP side's access log files) plus the stream servers' ones: the files a reload keeps open. */
    public static Set<java.nio.file.Path> withAccessLogPaths(StreamConfig config, Set<java.nio.file.Path> paths) {
        Set<java.nio.file.Path> out = new HashSet<>(paths);
        config.servers().forEach(s -> s.accessLogs().forEach(l -> out.add(l.path())));
        config.blockLogs().forEach(l -> out.add(l.path()));
        return out;
    }

    /** A configuration whose sockets are bound, waiting for {@link #commit()} or {@link #cancel()}. */
    public final class Pending {
        private final ListenerSet<SocketPlan<Site>>.Pending sockets;
        private final DatagramListeners.Pending udp;
        private final StreamConfig config;

        private Pending(StreamConfig config, ListenerSet<SocketPlan<Site>>.Pending sockets, DatagramListeners.Pending udp) {
            this.config = config;
            this.sockets = sockets;
            this.udp = udp;
        }

        public void commit() {
            sockets.commit();
            udp.commit();
            accessLogs.open(config.blockLogs());
            Set<Upstream> live = new HashSet<>();
            config.servers().stream().filter(s -> s.upstream() != null).forEach(s -> live.add(s.upstream()));
            // a proxy_pass with variables may name any group of the block
            config.servers().stream().filter(s -> s.passValue() != null).forEach(s -> live.addAll(s.passValue().names().groups().values()));
            upstreams.retainOnly(live);
        }

        public void cancel() {
            sockets.cancel();
            udp.cancel();
        }
    }

    /** Builds the plan (TLS contexts included) and binds the sockets the running configuration lacks. */
    public Pending prepare(StreamConfig next) throws IOException, InterruptedException {
        ListenerSet<SocketPlan<Site>>.Pending sockets = listeners.prepare(plan(next));
        try {
            return new Pending(next, sockets, datagrams.prepare(next));
        } catch (IOException | InterruptedException e) {
            sockets.cancel();
            throw e;
        }
    }

    /** As nginx: a wildcard listen on a port takes the port; address-specific servers on it are chosen by local address. */
    private static Map<String, SocketPlan<Site>> plan(StreamConfig config) throws IOException {
        Map<Tls, SslContext> contexts = new HashMap<>();
        Map<Integer, Map<String, Site>> byPort = new LinkedHashMap<>();
        Map<String, SocketOptions> options = new HashMap<>();
        for (StreamServer s : config.servers()) {
            SslContext ssl = null;
            if (s.tls() != null) {
                ssl = contexts.get(s.tls());
                if (ssl == null) {
                    ssl = TlsContexts.forServer(s.tls());
                    contexts.put(s.tls(), ssl);
                }
            }
            for (Listen l : s.listens()) {
                String addr = SocketPlan.addressKey(l.host(), l.socket());
                byPort.computeIfAbsent(l.port(), p -> new LinkedHashMap<>()).put(addr, new Site(s, l.ssl() ? ssl : null, l.proxyProtocol()));
                SocketPlan.addOptions(options, addr + ":" + l.port(), l.socket());
            }
        }
        return SocketPlan.of(byPort, (port, site) -> site.server().listens().stream()
                .anyMatch(l -> l.port() == port && "::".equals(l.host()) && !l.socket().ipv6only()), options);
    }

    /** The bound address of each stream listening socket (ephemeral ports resolved). */
    public List<InetSocketAddress> localAddresses() {
        return listeners.localAddresses();
    }

    /** The stream upstream groups in use, for status pages and tests that look at peer state. */
    public Upstreams upstreams() {
        return upstreams;
    }

    /** The TCP sessions open now (a reload with worker_shutdown_timeout closes them once it passes, as http's). */
    public List<io.netty.channel.Channel> openSessions() {
        return List.copyOf(sessions);
    }

    /** The bound address of each "listen ... udp" socket. */
    public List<InetSocketAddress> udpAddresses() {
        return datagrams.localAddresses();
    }

    /**
     * Graceful stop begins: accept nothing more; open TCP sessions go on until they end or are
     * stopped. UDP sessions end with their listening socket, the only way back to their clients.
     */
    public void closeListeners() {
        listeners.closeAll();
        datagrams.closeAll();
    }

    /** Fast stop: listeners and every session close now. */
    public synchronized void stop() {
        closeListeners();
        sessions.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        upstreams.drainAll();
        if (datagramLoops != loops) {
            datagramLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }
}
