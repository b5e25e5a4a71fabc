package io.ferry.server;

import io.ferry.demo.EchoBackend;
import io.ferry.http.conn.ConnectionStates;
import io.ferry.http.conn.GracefulClose;
import io.ferry.log.AccessLogs;
import io.ferry.metrics.Metrics;
import io.ferry.tunnel.Tunnel;
import io.ferry.tunnel.Tunnels;
import io.ferry.websocket.WebSocketTunnel;
import io.ferry.model.FerryConfig;
import io.ferry.model.VirtualServer;
import io.ferry.net.ListenerSet;
import io.ferry.net.SocketPlan;
import io.ferry.net.Transport;
import io.ferry.stream.StreamServers;
import io.ferry.tls.TlsContexts;
import io.ferry.upstream.Upstreams;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
    private final ListenerSet<SocketPlan<Site>> listeners;
    private final Map<InetSocketAddress, EchoBackend> demos = new HashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final Upstreams upstreams = new Upstreams();
    private final Tunnels tunnels = new Tunnels();
    private final ConnectionStates states = new ConnectionStates();
    private final Metrics metrics = new Metrics(states, tunnels, upstreams);
    private final AccessLogs accessLogs = new AccessLogs();
    private final StreamServers streams;
    private final Handlers handlers = new Handlers(upstreams, tunnels, states, metrics);
    private final RequestRecorder recorder = new RequestRecorder(accessLogs, metrics);
    private final HttpPipeline pipeline = new HttpPipeline(handlers, recorder, states);
    private volatile int connectionLimit;

    private FerryServer(int threads) {
        this.threads = threads;
        this.group = new MultiThreadIoEventLoopGroup(threads, Transport.ioHandlerFactory());
        this.listeners = new ListenerSet<>(group, Transport.serverChannel(), SocketPlan::address, SocketPlan::options, this::accept);
        this.streams = new StreamServers(group, tunnels, accessLogs);
    }

    public static FerryServer start(FerryConfig config) throws IOException, InterruptedException {
        int threads = config.workerProcesses() == FerryConfig.AUTO
                ? Runtime.getRuntime().availableProcessors() : config.workerProcesses();
        FerryServer server = new FerryServer(threads);
        checkDescriptorLimit((long) config.workerConnections() * threads);
        try {
            server.apply(config);
        } catch (IOException | RuntimeException e) {
            server.stop();
            throw e;
        }
        return server;
    }

    /**
     * Each client connection may hold an upstream one, so worker_connections × event loops × 2
     * descriptors are needed. The JVM already raises the soft limit to the hard one; if that is
     * still short, say so now rather than failing under load.
     */
    private static void checkDescriptorLimit(long connections) {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long limit = unix.getMaxFileDescriptorCount();
            if (limit < connections * 2 + 64) {
                LOG.warn("open files limit (RLIMIT_NOFILE) is {}, lower than the {} that {} connections may need; "
                        + "raise it (ulimit -n, or LimitNOFILE= in the service unit)", limit, connections * 2 + 64, connections);
            }
        }
    }

    /** What -t adds to parsing: every certificate and key loaded (and nothing written). */
    public static void check(FerryConfig config) throws IOException {
        for (VirtualServer vs : config.http().servers()) {
            if (vs.tls() != null) {
                TlsContexts.check(vs.tls());
            }
        }
        StreamServers.check(config.stream());
    }

    /** Applies a new configuration: the plan (and TLS contexts) are built before anything changes. */
    public synchronized void reload(FerryConfig next) throws IOException, InterruptedException {
        try {
            apply(next);
        } catch (IOException | RuntimeException e) {
            metrics.reloaded(false);
            throw e;
        }
        connections.forEach(io.ferry.http.v2.Http2Pipeline::reconfigured);
        metrics.reloaded(true);
    }

    /**
     * What nginx's old worker does after a reload when worker_shutdown_timeout is set: the client
     * connections open before it (tunnels through them included) and stream sessions are closed once
     * the timeout passes, whatever they are doing. Without it they stay, serving on with the new configuration.
     */
    public void retire(Duration shutdownTimeout) {
        if (shutdownTimeout == null) {
            return;
        }
        List<Channel> before = new ArrayList<>(connections);
        before.addAll(streams.openSessions());
        group.schedule(() -> before.forEach(Channel::close), shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A reload whose configuration did not even parse, counted for the metrics. */
    public void reloadFailed() {
        metrics.reloaded(false);
    }

    /** USR1: reopen the access logs (the error log is reopened by its owner). */
    public void reopenLogs() {
        accessLogs.reopen();
    }

    public ConnectionStates connectionStates() {
        return states;
    }

    public Tunnels tunnels() {
        return tunnels;
    }

    /**
     * The sockets' commit is the moment the new configuration starts serving, so what a connection
     * accepted then relies on (its limit, the demo backends it may be proxied to) is set before it.
     */
    private void apply(FerryConfig next) throws IOException, InterruptedException {
        ListenerSet<SocketPlan<Site>>.Pending httpPlan = listeners.prepare(Site.plan(next.http()));
        StreamServers.Pending streamPlan;
        try {
            streamPlan = streams.prepare(next.stream());
        } catch (IOException | RuntimeException e) {
            httpPlan.cancel();
            throw e;
        }
        try {
            startDemos(next.http().demoBackends());
        } catch (InterruptedException | RuntimeException e) {
            httpPlan.cancel();
            streamPlan.cancel();
            throw e;
        }
        connectionLimit = next.workerConnections() * threads;
        httpPlan.commit();
        streamPlan.commit();
        upstreams.retainOnly(ResourcesInUse.of(next.http()));
        accessLogs.retainOnly(StreamServers.withAccessLogPaths(next.stream(), ResourcesInUse.accessLogPaths(next.http())));
        stopDemosBut(next.http().demoBackends());
    }

    private void accept(ListenerSet.Listener<SocketPlan<Site>> listener, Channel ch) {
        if (open.incrementAndGet() > connectionLimit) {
            open.decrementAndGet();
            states.accepted(false);
            LOG.warn("{} worker_connections are not enough", connectionLimit);
            ch.close();
            return;
        }
        states.accepted(true);
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        connections.add(ch);
        pipeline.assemble(ch, listener);
    }

    private void startDemos(List<InetSocketAddress> wanted) throws InterruptedException {
        for (InetSocketAddress a : wanted) {
            if (!demos.containsKey(a)) {
                demos.put(a, EchoBackend.start(a));
            }
        }
    }

    private void stopDemosBut(List<InetSocketAddress> wanted) {
        for (InetSocketAddress a : new ArrayList<>(demos.keySet())) {
            if (!wanted.contains(a)) {
                demos.remove(a).close();
            }
        }
    }

    public Upstreams upstreams() {
        return upstreams;
    }

    public StreamServers streams() {
        return streams;
    }

    /** The bound address of each listening socket (ephemeral ports resolved). */
    public List<InetSocketAddress> localAddresses() {
        return listeners.localAddresses();
    }

    /** Fast stop: every socket closes now. */
    public synchronized void stop() {
        closeListeners();
        streams.stop();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        upstreams.drainAll();
        accessLogs.close();
        demos.values().forEach(EchoBackend::close);
        demos.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /**
     * Graceful stop: no new connections; idle ones close, busy ones finish their response. Open
     * tunnels get {@code shutdownTimeout} (worker_shutdown_timeout) to end on their own; then
     * WebSockets are ended with close code 1001 and other tunnels closed. With no timeout,
     * in-flight requests are waited for and tunnels are ended as soon as they are all that is left.
     */
    public void quit(Duration shutdownTimeout) {
        synchronized (this) {
            states.quit();
            closeListeners();
            streams.closeListeners();
        }
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> {
                GracefulClose h = ch.pipeline().get(GracefulClose.class);
                if (h != null) {
                    h.closeWhenIdle();
                }
            });
        }
        long deadline = shutdownTimeout == null ? Long.MAX_VALUE : System.nanoTime() + shutdownTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            long tunnelsOpen = tunnels.all().size();
            long httpBusy = connections.size() - tunnels.count(Tunnels.Kind.WEBSOCKET);
            if (httpBusy <= 0 && (shutdownTimeout == null || tunnelsOpen == 0)) {
                break;
            }
            pause(50);
        }
        for (Tunnel t : tunnels.all()) {
            if (tunnels.kindOf(t) == Tunnels.Kind.WEBSOCKET) {
                WebSocketTunnel.goingAway(t);
            } else {
                t.first().eventLoop().execute(t::closeAll);
            }
        }
        long grace = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!tunnels.all().isEmpty() && System.nanoTime() < grace) {
            pause(20);
        }
        stop();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeListeners() {
        listeners.closeAll();
    }
}
