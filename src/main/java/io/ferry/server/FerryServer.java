package io.ferry.server;

import io.ferry.demo.EchoBackend;
import io.ferry.http.HttpConnectionHandler;
import io.ferry.model.FerryConfig;
import io.ferry.model.VirtualServer;
import io.ferry.tls.TlsContexts;
import io.ferry.upstream.Upstreams;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server: one event loop group (worker_processes threads) that accepts and serves,
 * the listening sockets of the current configuration, and every open client connection.
 */
public final class FerryServer {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    private final EventLoopGroup group;
    private final int threads;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Map<String, Listener> listeners = new LinkedHashMap<>();
    private final Map<InetSocketAddress, EchoBackend> demos = new HashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final Upstreams upstreams = new Upstreams();
    private final Handlers handlers = new Handlers(upstreams);
    private volatile int connectionLimit;

    /** A bound socket; its plan is swapped on reload while the socket stays open. */
    private final class Listener {
        volatile SocketPlan plan;
        Channel channel;
    }

    private FerryServer(int threads) {
        this.threads = threads;
        this.group = new MultiThreadIoEventLoopGroup(threads, Transport.ioHandlerFactory());
    }

    public static FerryServer start(FerryConfig config) throws IOException, InterruptedException {
        int threads = config.workerProcesses() == FerryConfig.AUTO
                ? Runtime.getRuntime().availableProcessors() : config.workerProcesses();
        FerryServer server = new FerryServer(threads);
        try {
            server.apply(config);
        } catch (IOException | RuntimeException e) {
            server.stop();
            throw e;
        }
        return server;
    }

    /** What -t adds to parsing: every certificate and key loaded (and nothing written). */
    public static void check(FerryConfig config) throws IOException {
        for (VirtualServer vs : config.http().servers()) {
            if (vs.tls() != null) {
                TlsContexts.check(vs.tls());
            }
        }
    }

    /** Applies a new configuration: the plan (and TLS contexts) are built before anything changes. */
    public synchronized void reload(FerryConfig next) throws IOException, InterruptedException {
        apply(next);
    }

    private void apply(FerryConfig next) throws IOException, InterruptedException {
        Map<String, SocketPlan> plans = SocketPlan.plan(next.http());
        Map<String, Listener> added = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, SocketPlan> e : plans.entrySet()) {
                if (!listeners.containsKey(e.getKey())) {
                    added.put(e.getKey(), bind(e.getValue()));
                }
            }
        } catch (IOException e) {
            added.values().forEach(l -> l.channel.close());
            throw e;
        }
        for (Map.Entry<String, SocketPlan> e : plans.entrySet()) {
            Listener existing = listeners.get(e.getKey());
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
        upstreams.retainOnly(UpstreamsInUse.of(next.http()));
        syncDemos(next.http().demoBackends());
        connectionLimit = next.workerConnections() * threads;
    }

    private Listener bind(SocketPlan plan) throws IOException, InterruptedException {
        Listener listener = new Listener();
        listener.plan = plan;
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 511)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accept(listener, ch);
                    }
                });
        try {
            listener.channel = b.bind(plan.bind()).sync().channel();
        } catch (Exception e) {
            throw new IOException("bind() to " + plan.bind().getHostString() + ":" + plan.bind().getPort()
                    + " failed (" + e.getMessage() + ")", e);
        }
        return listener;
    }

    private void accept(Listener listener, Channel ch) {
        if (open.incrementAndGet() > connectionLimit) {
            open.decrementAndGet();
            LOG.warn("{} worker_connections are not enough", connectionLimit);
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        connections.add(ch);
        InetSocketAddress local = (InetSocketAddress) ch.localAddress();
        Site site = listener.plan.siteFor(local);
        if (site.secure()) {
            ch.pipeline().addLast("sni", new SniHandler(site.sni()));
        }
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(8192).setMaxHeaderSize(32 * 1024).setMaxChunkSize(64 * 1024);
        ch.pipeline().addLast("http", new HttpServerCodec(decoder));
        ch.pipeline().addLast("chunked", new ChunkedWriteHandler());
        ch.pipeline().addLast("handler", new HttpConnectionHandler(
                () -> listener.plan.siteFor(local).selector(), handlers, site.secure()));
    }

    private void syncDemos(List<InetSocketAddress> wanted) throws InterruptedException {
        for (InetSocketAddress a : new ArrayList<>(demos.keySet())) {
            if (!wanted.contains(a)) {
                demos.remove(a).close();
            }
        }
        for (InetSocketAddress a : wanted) {
            if (!demos.containsKey(a)) {
                demos.put(a, EchoBackend.start(a));
            }
        }
    }

    public Upstreams upstreams() {
        return upstreams;
    }

    /** The bound address of each listening socket (ephemeral ports resolved). */
    public synchronized List<InetSocketAddress> localAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Listener l : listeners.values()) {
            out.add((InetSocketAddress) l.channel.localAddress());
        }
        return out;
    }

    /** Fast stop: every socket closes now. */
    public synchronized void stop() {
        closeListeners();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        upstreams.drainAll();
        demos.values().forEach(EchoBackend::close);
        demos.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** Graceful stop: no new connections, idle ones close, busy ones finish their response, then stop. */
    public void quit(Duration timeout) {
        synchronized (this) {
            closeListeners();
        }
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> {
                HttpConnectionHandler h = ch.pipeline().get(HttpConnectionHandler.class);
                if (h != null) {
                    h.closeWhenIdle();
                }
            });
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stop();
    }

    private void closeListeners() {
        for (Listener l : listeners.values()) {
            l.channel.close().awaitUninterruptibly();
        }
        listeners.clear();
    }
}
