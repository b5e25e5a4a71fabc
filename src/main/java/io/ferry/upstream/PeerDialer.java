package io.ferry.upstream;

import io.ferry.upstream.NextUpstream.Condition;
import io.ferry.variable.ConnectionScope;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * Gets one request (or stream session) a connection to a peer of its group, the part nginx's HTTP
 * and stream upstreams share: pick a peer not tried yet, take an idle pooled connection or connect
 * on the client's event loop, and after a failed connect count it against the peer, write the
 * error_log line and move on to the next peer while next_upstream's condition, _tries and _timeout
 * allow. Peers tried and the time spent span the whole request, so a protocol that retries for its
 * own reasons later (an HTTP status, say) dials again through the same dialer.
 */
public final class PeerDialer {
    /** The protocol's side of one attempt: one picked peer and the connection to it. */
    public interface Attempt {
        /** Adds the protocol's handlers to a new connection before it connects. */
        void init(Channel ch);

        /** Whether a pooled connection, possibly parked by another protocol on a shared upstream block, suits this one. */
        default boolean accepts(Channel pooled) {
            return true;
        }

        /** False once the protocol gave up on this attempt (client gone): a late connection is closed unused. */
        boolean wanted();

        /** The connection is ready; a {@code pooled} one never went through {@link #init}. */
        void connected(Channel ch, boolean pooled);

        /** No connection came of this attempt: the connect failed, or it was no longer wanted. */
        void failed();
    }

    /** The protocol's side of the whole request. */
    public interface Caller {
        /** A peer was picked: the protocol starts its attempt on it ($upstream_addr grows). */
        Attempt attempt(Peer peer);

        /**
         * This dial ends without a connection: {@code cause} is how its last connect failed, or null
         * when no peer was left to pick before any connect of this dial failed.
         */
        void exhausted(Condition cause);

        /**
         * No peer of {@code group} was left to pick (all down, failed or at max_conns): nginx then
         * names the group where $upstream_addr would name the peer.
         */
        default void noPeerLeft(String group) {
        }

        /** Writes the protocol's error_log line for {@code what}; {@code peer} is null when none could be picked. */
        void logError(String what, Peer peer);
    }

    private final UpstreamGroup group;
    private final ConnectionScope scope;
    private final Channel downstream;
    private final NextUpstream next;
    private final Duration connectTimeout;
    private final Caller caller;
    private final Set<Peer> tried = new HashSet<>();
    private final long started = System.nanoTime();

    /** {@code downstream}: the client's channel, whose event loop and transport upstream connections share. */
    public PeerDialer(UpstreamGroup group, ConnectionScope scope, Channel downstream, NextUpstream next,
            Duration connectTimeout, Caller caller) {
        this.group = group;
        this.scope = scope;
        this.downstream = downstream;
        this.next = next;
        this.connectTimeout = connectTimeout;
        this.caller = caller;
    }

    /** Peers tried so far, the current one included: what _tries bounds. */
    public int peersTried() {
        return tried.size();
    }

    /** Whether a peer remains untried, dead or alive: nginx moves on after an answer only then. */
    public boolean peerLeft() {
        return tried.size() < group.peerCount();
    }

    /** Time since the dialer was made, the start of the request: what _timeout bounds. */
    public long elapsedNanos() {
        return System.nanoTime() - started;
    }

    /** Connects to the next peer, moving on after each failed connect while next_upstream allows. */
    public void dial() {
        dial(null);
    }

    private void dial(Condition lastFailure) {
        Peer peer = group.select(scope, tried);
        if (peer == null) {
            // nginx names the group only when peers it could still try were down, failed or busy,
            // not when every peer has had its try
            if (tried.size() < group.peerCount()) {
                caller.noPeerLeft(group.config().name());
            }
            if (tried.isEmpty()) {
                caller.logError("no live upstreams while connecting to upstream", null);
            }
            caller.exhausted(lastFailure);
            return;
        }
        tried.add(peer);
        Attempt a = caller.attempt(peer);
        Channel pooled = group.pooled(downstream, peer);
        if (pooled != null && !a.accepts(pooled)) {
            group.release(pooled, peer, false);
            pooled = null;
        }
        if (pooled != null) {
            a.connected(pooled, true);
            return;
        }
        group.connect(downstream, peer, connectTimeout, new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                a.init(ch);
            }
        }).addListener((ChannelFutureListener) f -> {
            if (!a.wanted()) {
                f.channel().close();
                a.failed();
            } else if (f.isSuccess()) {
                a.connected(f.channel(), false);
            } else {
                a.failed();
                connectFailed(peer, f.cause());
            }
        });
    }

    private void connectFailed(Peer peer, Throwable cause) {
        boolean timeout = cause instanceof ConnectTimeoutException;
        // connect() to a unix socket fails at once, and nginx then names the socket, as for any
        // connect() that fails before the event loop reports back
        String connect = peer.server().unixPath() != null ? "connect() to " + peer.server().addressText() + " failed" : "connect() failed";
        caller.logError((timeout ? "upstream timed out (110: Connection timed out)" : connect + " (" + Errno.describe(cause) + ")")
                + " while connecting to upstream", peer);
        group.failed(peer, "connecting to upstream");
        Condition cond = timeout ? Condition.TIMEOUT : Condition.ERROR;
        if (next.allows(cond, tried.size(), elapsedNanos())) {
            dial(cond);
        } else {
            caller.exhausted(cond);
        }
    }
}
