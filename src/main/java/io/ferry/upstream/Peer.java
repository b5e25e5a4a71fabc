package io.ferry.upstream;

import io.ferry.upstream.UpstreamServer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runtime state of one upstream server, shared by every event loop: open connections (for
 * least_conn and max_conns, WebSocket tunnels included) and passive health as nginx keeps it
 * (fails within fail_timeout; a success after the window resets the count).
 */
public final class Peer {
    private final UpstreamServer server;
    private final long failTimeoutNanos;
    private final AtomicInteger active = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
    /** Smooth weighted round robin state, guarded by the balancer that owns the peer list. */
    public int currentWeight;
    public int effectiveWeight;
    private int fails;
    private long checked;
    private long accessed;

    public Peer(UpstreamServer server) {
        this.server = server;
        this.failTimeoutNanos = server.failTimeout().toNanos();
        this.effectiveWeight = server.weight();
    }

    public UpstreamServer server() {
        return server;
    }

    public int weight() {
        return server.weight();
    }

    public int active() {
        return active.get();
    }

    /** Failures counted since start (for metrics). */
    public long failures() {
        return failures.get();
    }

    void opened() {
        active.incrementAndGet();
    }

    void closed() {
        active.decrementAndGet();
    }

    /** May this peer take a request now? {@code single}: a group of one is never taken out for failures. */
    public synchronized boolean usable(long now, boolean single) {
        if (server.down()) {
            return false;
        }
        if (server.maxConns() > 0 && active.get() >= server.maxConns()) {
            return false;
        }
        return single || server.maxFails() == 0 || fails < server.maxFails() || now - checked > failTimeoutNanos;
    }

    /** Called when the balancer picks this peer: a pick after the window starts a new one (nginx's "checked"). */
    public synchronized void picked(long now) {
        if (now - checked > failTimeoutNanos) {
            checked = now;
        }
    }

    /** Records a failure; returns true when it takes the peer out (max_fails reached). */
    synchronized boolean failed(long now) {
        failures.incrementAndGet();
        fails++;
        accessed = now;
        checked = now;
        if (server.maxFails() > 0) {
            effectiveWeight = Math.max(0, effectiveWeight - server.weight() / server.maxFails());
            return fails >= server.maxFails();
        }
        return false;
    }

    synchronized void succeeded() {
        if (accessed < checked) {
            fails = 0;
        }
    }
}
