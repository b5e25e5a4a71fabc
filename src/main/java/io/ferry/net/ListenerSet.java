package io.ferry.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The listening sockets of one kind (HTTP or stream), keyed by address. A reload first binds
 * what the new configuration adds ({@link #prepare}); only when everything is bound does
 * {@link Pending#commit} hand the new plans to the sockets that stay and close those that go,
 * so a failed reload changes nothing. {@code P} is the per-socket plan (which servers it serves).
 * A new socket accepts nothing before its commit: a client connecting meanwhile waits in the
 * kernel's queue, so nothing is served before the configuration that serves it is in place.
 */
public final class ListenerSet<P> {
    /** Sets up an accepted connection; {@code plan} always returns the socket's current plan. */
    public interface Acceptor<P> {
        void accept(Listener<P> listener, Channel ch);
    }

    /** A bound socket; its plan is swapped on reload while the socket stays open. */
    public static final class Listener<P> {
        private volatile P plan;
        private Channel channel;

        public P plan() {
            return plan;
        }
    }

    /** Set while a new Ferry binds the ports of the one it replaces (-s upgrade): the probe would refuse them. */
    private static volatile boolean takingOver;

    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> channelType;
    private final Function<P, SocketAddress> bindAddress;
    private final Function<P, SocketOptions> options;
    private final Acceptor<P> acceptor;
    private final Map<String, Listener<P>> listeners = new LinkedHashMap<>();
    private final AcceptFailures acceptFailures = new AcceptFailures();

    public ListenerSet(EventLoopGroup group, Class<? extends ServerChannel> channelType,
                       Function<P, SocketAddress> bindAddress, Function<P, SocketOptions> options, Acceptor<P> acceptor) {
        this.group = group;
        this.channelType = channelType;
        this.bindAddress = bindAddress;
        this.options = options;
        this.acceptor = acceptor;
    }

    /** New sockets of a configuration, bound and waiting for {@link #commit()} or {@link #cancel()}. */
    public final class Pending {
        private final Map<String, P> plans;
        private final Map<String, Listener<P>> added;

        private Pending(Map<String, P> plans, Map<String, Listener<P>> added) {
            this.plans = plans;
            this.added = added;
        }

        public void commit() {
            synchronized (ListenerSet.this) {
                for (Map.Entry<String, P> e : plans.entrySet()) {
                    Listener<P> existing = listeners.get(e.getKey());
                    if (existing != null) {
                        existing.plan = e.getValue();
                    }
                }
                for (String key : new ArrayList<>(listeners.keySet())) {
                    if (!plans.containsKey(key)) {
                        close(listeners.remove(key).channel);
                    }
                }
                listeners.putAll(added);
            }
            added.values().forEach(l -> l.channel.config().setAutoRead(true));
        }

        public void cancel() {
            added.values().forEach(l -> close(l.channel));
        }
    }

    public synchronized Pending prepare(Map<String, P> plans) throws IOException, InterruptedException {
        Map<String, Listener<P>> added = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, P> e : plans.entrySet()) {
                if (!listeners.containsKey(e.getKey())) {
                    added.put(e.getKey(), bind(e.getValue()));
                }
            }
        } catch (IOException | RuntimeException e) {
            added.values().forEach(l -> close(l.channel));
            throw e;
        }
        return new Pending(plans, added);
    }

    private Listener<P> bind(P plan) throws IOException, InterruptedException {
        Listener<P> listener = new Listener<>();
        listener.plan = plan;
        SocketAddress address = bindAddress.apply(plan);
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .option(ChannelOption.AUTO_READ, false)
                .handler(acceptFailures)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        acceptor.accept(listener, ch);
                    }
                });
        String shown;
        if (address instanceof DomainSocketAddress unix) {
            // TCP's options mean nothing to a unix domain socket; under NIO the JDK's address names it
            boolean epoll = EpollServerSocketChannel.class.isAssignableFrom(channelType);
            b.channel(Transport.domainServerChannel(epoll));
            address = epoll ? unix : java.net.UnixDomainSocketAddress.of(unix.path());
            shown = "unix:" + unix.path();
        } else {
            InetSocketAddress inet = (InetSocketAddress) address;
            b.channel(channelType)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true);
            SocketOptions socket = options.apply(plan);
            boolean epoll = EpollServerSocketChannel.class.isAssignableFrom(channelType);
            socket.apply(b, inet, epoll);
            shown = inet.getHostString() + ":" + inet.getPort();
            if (!takingOver && !socket.reuseport() && inet.getPort() != 0) {
                probe(inet, socket.ipv6only(), epoll, shown);
            }
        }
        try {
            listener.channel = b.bind(address).sync().channel();
        } catch (Exception e) {
            throw new IOException("bind() to " + shown + " failed (" + e.getMessage() + ")", e);
        }
        return listener;
    }

    /**
     * Binds {@code address} without SO_REUSEPORT and lets it go: that fails, as nginx's bind does, where any
     * socket already holds the port, which the shared listener's own bind would no longer notice.
     */
    private void probe(InetSocketAddress address, boolean ipv6only, boolean epoll, String shown) throws IOException {
        if (!(address.getAddress() instanceof Inet6Address && address.getAddress().isAnyLocalAddress() && ipv6only)) {
            // a socket that is bound but never listens: a client connecting meanwhile is never queued on it and
            // reset when it goes (a dual-stack one, which only an IPv6 address without ipv6only may use). Only
            // [::] needs IPV6_V6ONLY set, through a channel: an NIO one closed while registered frees its port only
            // at its selector's next wakeup, too late for the bind that follows
            try (java.net.Socket s = new java.net.Socket()) {
                s.setReuseAddress(true);
                s.bind(address);
            } catch (IOException e) {
                throw new IOException("bind() to " + shown + " failed (" + e.getMessage() + ")", e);
            }
            return;
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInboundHandlerAdapter());
        if (epoll && address.getAddress() instanceof Inet6Address) {
            b.option(SocketOptions.IPV6_V6ONLY, ipv6only ? 1 : 0);
        }
        try {
            b.bind(address).sync().channel().close().sync();
        } catch (Exception e) {
            throw new IOException("bind() to " + shown + " failed (" + e.getMessage() + ")", e);
        }
    }

    /** While on, binds share ports already held (by the Ferry being replaced) instead of refusing them. */
    public static void takeOver(boolean on) {
        takingOver = on;
    }

    /** A unix domain socket's file goes with it, as nginx removes it when it closes the socket. */
    private static void close(Channel ch) {
        SocketAddress a = ch.localAddress();
        String path = a instanceof DomainSocketAddress d ? d.path()
                : a instanceof java.net.UnixDomainSocketAddress u ? u.getPath().toString() : null;
        ch.eventLoop().execute(() -> {
            takeQueued(ch);
            ch.close().addListener(f -> {
                if (path != null) {
                    Files.deleteIfExists(Path.of(path));
                }
            });
        });
    }

    /**
     * Closing a listening socket resets every connection the kernel has queued on it, which the client (or the
     * balancer in front) already counts as established. So an accepting socket first takes in what is queued, to
     * be served as any other connection, in the same event-loop task as its close: nothing can queue in between.
     */
    private static void takeQueued(Channel server) {
        if (!(server instanceof EpollServerSocketChannel) || !server.isActive() || !server.config().isAutoRead()) {
            return;
        }
        Socket socket = new Socket(((UnixChannel) server).fd().intValue());
        byte[] peer = new byte[26];
        try {
            for (int fd; (fd = socket.accept(peer)) >= 0; ) {
                server.pipeline().fireChannelRead(new EpollSocketChannel(fd));
            }
        } catch (IOException e) {
            // what could not be taken is reset by the close, as it would have been anyway
        }
        server.pipeline().fireChannelReadComplete();
    }

    /** The bound address of each socket (ephemeral ports resolved). */
    public synchronized List<InetSocketAddress> localAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Listener<P> l : listeners.values()) {
            if (l.channel.localAddress() instanceof InetSocketAddress a) {
                out.add(a);
            }
        }
        return out;
    }

    /** The bound server channels, for reading back their socket options. */
    synchronized List<Channel> listeners() {
        List<Channel> out = new ArrayList<>();
        for (Listener<P> l : listeners.values()) {
            out.add(l.channel);
        }
        return out;
    }

    public synchronized void closeAll() {
        for (Listener<P> l : listeners.values()) {
            close(l.channel);
            l.channel.closeFuture().awaitUninterruptibly();
        }
        listeners.clear();
    }
}
