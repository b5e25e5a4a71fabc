package io.ferry.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Idle upstream connections, one deque per event loop (touched only by that loop, so no locks),
 * at most {@code keepalive} each, least recently used evicted first. A parked connection keeps a
 * read pending: if the backend closes it or sends anything, it leaves the pool at once and is
 * never handed out.
 */
final class ConnectionPool {
    private static final AttributeKey<Integer> REQUESTS = AttributeKey.valueOf("ferry.upstream.requests");
    private static final AttributeKey<Long> OPENED = AttributeKey.valueOf("ferry.upstream.opened");
    private static final String WATCHER = "pool-idle";

    private final int max;
    private final long idleNanos;
    private final int maxRequests;
    private final long maxAgeNanos;
    private final Map<EventLoop, Parked> idle = new ConcurrentHashMap<>();

    ConnectionPool(int max, Duration idleTimeout, int maxRequests, Duration maxAge) {
        this.max = max;
        this.idleNanos = idleTimeout.toNanos();
        this.maxRequests = maxRequests;
        this.maxAgeNanos = maxAge.toNanos();
    }

    /** The idle connections of one event loop, oldest first, with one sweep timer for all of them. */
    private final class Parked {
        final EventLoop loop;
        final ArrayDeque<Watcher> queue = new ArrayDeque<>();
        boolean sweepScheduled;

        Parked(EventLoop loop) {
            this.loop = loop;
        }

        void add(Watcher w) {
            queue.addLast(w);
            if (!sweepScheduled) {
                sweepScheduled = true;
                loop.schedule(this::sweep, idleNanos, TimeUnit.NANOSECONDS);
            }
        }

        /** keepalive_timeout: closes what has been idle too long; re-arms for the next oldest. */
        void sweep() {
            sweepScheduled = false;
            long now = System.nanoTime();
            Watcher w;
            while ((w = queue.peekFirst()) != null && now - w.parkedAt >= idleNanos) {
                queue.pollFirst();
                w.unpark();
                w.channel.close();
            }
            if (!queue.isEmpty()) {
                sweepScheduled = true;
                loop.schedule(this::sweep, idleNanos - (now - queue.peekFirst().parkedAt), TimeUnit.NANOSECONDS);
            }
        }
    }

    /**
     * Stays in the connection's pipeline for its whole life; while parked it closes the connection
     * on any sign of life from the backend (data, EOF), otherwise it passes everything through.
     */
    private final class Watcher extends ChannelInboundHandlerAdapter {
        final Channel channel;
        Peer peer;
        long parkedAt;
        boolean parked;

        Watcher(Channel channel) {
            this.channel = channel;
        }

        void park(Peer peer) {
            this.peer = peer;
            parkedAt = System.nanoTime();
            parked = true;
        }

        void unpark() {
            parked = false;
        }

        private void evict() {
            parked = false;
            parked(channel.eventLoop()).queue.remove(this);
            channel.close();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (parked) {
                ReferenceCountUtil.release(msg);
                evict();
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!parked) {
                ctx.fireChannelReadComplete();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (parked) {
                parked = false;
                parked(channel.eventLoop()).queue.remove(this);
            }
            ctx.fireChannelInactive();
        }

        /** Upstream channels allow half-closure (for tunnels): a parked one whose backend said EOF is dead. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (parked && evt instanceof ChannelInputShutdownEvent) {
                evict();
            } else if (!parked) {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (parked) {
                evict();
            } else {
                ctx.fireExceptionCaught(cause);
            }
        }
    }

    /** Notes when a connection was opened: keepalive_time counts from there. */
    static void opening(Channel ch) {
        ch.attr(OPENED).set(System.nanoTime());
    }

    private Parked parked(EventLoop loop) {
        return idle.computeIfAbsent(loop, Parked::new);
    }

    Channel acquire(EventLoop loop, Peer peer) {
        if (max == 0) {
            return null;
        }
        Parked p = parked(loop);
        for (Iterator<Watcher> it = p.queue.descendingIterator(); it.hasNext(); ) {
            Watcher w = it.next();
            if (w.peer == peer) {
                it.remove();
                w.unpark();
                if (w.channel.isActive() && !((DuplexChannel) w.channel).isInputShutdown()
                        && System.nanoTime() - w.parkedAt < idleNanos) {
                    return w.channel;
                }
                w.channel.close();
            }
        }
        return null;
    }

    /** Parks the connection; false when it cannot be kept (pool off, closed, keepalive_requests or keepalive_time reached). */
    boolean release(Channel ch, Peer peer) {
        int served = ch.attr(REQUESTS).get() == null ? 1 : ch.attr(REQUESTS).get() + 1;
        ch.attr(REQUESTS).set(served);
        if (max == 0 || !ch.isActive() || served >= maxRequests || System.nanoTime() - ch.attr(OPENED).get() > maxAgeNanos) {
            return false;
        }
        Parked p = parked(ch.eventLoop());
        if (p.queue.size() >= max) {
            Watcher oldest = p.queue.pollFirst();
            oldest.unpark();
            oldest.channel.close();
        }
        Watcher w = ch.pipeline().get(Watcher.class);
        if (w == null) {
            w = new Watcher(ch);
            // First in the pipeline, below TLS and any codec: it only needs to see that bytes or EOF arrived.
            ch.pipeline().addFirst(WATCHER, w);
        }
        w.park(peer);
        p.add(w);
        ch.read();
        return true;
    }

    void closeAll() {
        for (Parked p : idle.values()) {
            p.loop.execute(() -> {
                Watcher w;
                while ((w = p.queue.pollFirst()) != null) {
                    w.unpark();
                    w.channel.close();
                }
            });
        }
    }
}
