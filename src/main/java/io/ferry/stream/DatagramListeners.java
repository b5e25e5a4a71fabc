package io.ferry.stream;

import io.ferry.log.AccessLogs;
import io.ferry.model.Listen;
import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamGroup;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioChannelOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "listen ... udp" sockets of the stream block. As nginx does, a datagram from a client
 * address and port that has no session starts one ({@link DatagramSession}); later ones from the
 * same address and port go to it until it ends (or has taken its proxy_requests). A reload keeps the
 * sockets still configured, which take the new server for sessions that start from then on.
 */
final class DatagramListeners {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    private final EventLoopGroup group;
    private final Function<Upstream, UpstreamGroup> upstreams;
    private final AccessLogs accessLogs;
    private final Map<String, Listener> bound = new HashMap<>();

    DatagramListeners(EventLoopGroup group, Function<Upstream, UpstreamGroup> upstreams, AccessLogs accessLogs) {
        this.group = group;
        this.upstreams = upstreams;
        this.accessLogs = accessLogs;
    }

    /** One listening datagram socket and the sessions of its clients (touched on its event loop only). */
    final class Listener extends SimpleChannelInboundHandler<DatagramPacket> {
        private volatile StreamServer server;
        private final Map<InetSocketAddress, DatagramSession> sessions = new HashMap<>();
        /** Every session not ended yet, those no longer taking datagrams (after proxy_requests) too. */
        private final Set<DatagramSession> live = new HashSet<>();
        private Channel channel;

        private Listener(StreamServer server) {
            this.server = server;
        }

        Channel channel() {
            return channel;
        }

        AccessLogs accessLogs() {
            return accessLogs;
        }

        /** The session no longer takes the client's datagrams: the next one starts a new session. */
        void unbind(InetSocketAddress client, DatagramSession session) {
            sessions.remove(client, session);
        }

        void ended(InetSocketAddress client, DatagramSession session) {
            sessions.remove(client, session);
            live.remove(session);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress client = packet.sender();
            DatagramSession session = sessions.get(client);
            if (session != null) {
                session.fromClient(packet.content().retain());
                return;
            }
            StreamServer s = server;
            session = new DatagramSession(this, client, s, s.upstream() == null ? null : upstreams.apply(s.upstream()));
            sessions.put(client, session);
            live.add(session);
            session.start(packet.content().retain());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a datagram socket outlives an error about one datagram (an ICMP error, a full buffer)
            LOG.debug("udp listener {} failed", ctx.channel(), cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            new ArrayList<>(live).forEach(DatagramSession::close);
            ctx.fireChannelInactive();
        }
    }

    /** Sockets bound for a configuration, waiting for {@link #commit()} or {@link #cancel()}. */
    final class Pending {
        private final Map<String, StreamServer> plans;
        private final Map<String, Listener> added;

        private Pending(Map<String, StreamServer> plans, Map<String, Listener> added) {
            this.plans = plans;
            this.added = added;
        }

        void commit() {
            synchronized (DatagramListeners.this) {
                bound.putAll(added);
                bound.entrySet().removeIf(e -> {
                    StreamServer s = plans.get(e.getKey());
                    if (s == null) {
                        e.getValue().channel.close();
                        return true;
                    }
                    e.getValue().server = s;
                    return false;
                });
            }
        }

        void cancel() {
            added.values().forEach(l -> l.channel.close());
        }
    }

    /** Binds the UDP sockets of {@code config} the running configuration lacks. */
    synchronized Pending prepare(StreamConfig config) throws IOException, InterruptedException {
        Map<String, StreamServer> plans = new LinkedHashMap<>();
        Map<String, Listener> added = new HashMap<>();
        try {
            for (StreamServer s : config.servers()) {
                for (Listen l : s.udp().listens()) {
                    plans.put(l.socketKey(), s);
                    if (!bound.containsKey(l.socketKey())) {
                        added.put(l.socketKey(), bind(l, s));
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            added.values().forEach(l -> l.channel.close());
            throw e;
        }
        return new Pending(plans, added);
    }

    private Listener bind(Listen l, StreamServer server) throws IOException, InterruptedException {
        Listener listener = new Listener(server);
        Bootstrap b = new Bootstrap().group(group).channelFactory(Datagrams.factory(false)).handler(listener);
        if (l.socket().reuseport()) {
            b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        }
        if (l.socket().rcvbuf() > 0) {
            b.option(ChannelOption.SO_RCVBUF, l.socket().rcvbuf());
        }
        if (l.socket().sndbuf() > 0) {
            b.option(ChannelOption.SO_SNDBUF, l.socket().sndbuf());
        }
        try {
            listener.channel = b.bind(l.address()).sync().channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("bind() to " + l.socketKey() + " failed (" + e.getMessage() + ")", e);
        }
        return listener;
    }

    /** The bound address of each UDP socket (ephemeral ports resolved). */
    synchronized List<InetSocketAddress> localAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        bound.values().forEach(l -> out.add((InetSocketAddress) l.channel.localAddress()));
        return out;
    }

    /** Closes every UDP socket; their sessions end with them. */
    synchronized void closeAll() {
        bound.values().forEach(l -> l.channel.close().awaitUninterruptibly());
        bound.clear();
    }
}
