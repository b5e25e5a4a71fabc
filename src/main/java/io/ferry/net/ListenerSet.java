package io.ferry.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
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

    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> channelType;
    private final Function<P, InetSocketAddress> bindAddress;
    private final Function<P, SocketOptions> options;
    private final Acceptor<P> acceptor;
    private final Map<String, Listener<P>> listeners = new LinkedHashMap<>();

    public ListenerSet(EventLoopGroup group, Class<? extends ServerChannel> channelType,
                       Function<P, InetSocketAddress> bindAddress, Function<P, SocketOptions> options, Acceptor<P> acceptor) {
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
                        listeners.remove(key).channel.close();
                    }
                }
                listeners.putAll(added);
            }
        }

        public void cancel() {
            added.values().forEach(l -> l.channel.close());
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
            added.values().forEach(l -> l.channel.close());
            throw e;
        }
        return new Pending(plans, added);
    }

    private Listener<P> bind(P plan) throws IOException, InterruptedException {
        Listener<P> listener = new Listener<>();
        listener.plan = plan;
        InetSocketAddress address = bindAddress.apply(plan);
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        acceptor.accept(listener, ch);
                    }
                });
        options.apply(plan).apply(b, address, EpollServerSocketChannel.class.isAssignableFrom(channelType));
        try {
            listener.channel = b.bind(address).sync().channel();
        } catch (Exception e) {
            throw new IOException("bind() to " + address.getHostString() + ":" + address.getPort()
                    + " failed (" + e.getMessage() + ")", e);
        }
        return listener;
    }

    /** The bound address of each socket (ephemeral ports resolved). */
    public synchronized List<InetSocketAddress> localAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Listener<P> l : listeners.values()) {
            out.add((InetSocketAddress) l.channel.localAddress());
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
            l.channel.close().awaitUninterruptibly();
        }
        listeners.clear();
    }
}
