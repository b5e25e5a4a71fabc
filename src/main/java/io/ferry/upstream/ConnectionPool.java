package io.ferry.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
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
    private static final String WATCHER = "pool-idle";

    private final int max;
    private final long idleMillis;
    private final int maxRequests;
    private final Map<EventLoop, ArrayDeque<Idle>> idle = new ConcurrentHashMap<>();

    ConnectionPool(int max, Duration idleTimeout, int maxRequests) {
        this.max = max;
        this.idleMillis = idleTimeout.toMillis();
        this.maxRequests = maxRequests;
    }

    private final class Idle extends ChannelInboundHandlerAdapter {
        final Channel channel;
        final Peer peer;
        final ScheduledFuture<?> expiry;

        Idle(Channel channel, Peer peer) {
            this.channel = channel;
            this.peer = peer;
            this.expiry = channel.eventLoop().schedule(this::evict, idleMillis, TimeUnit.MILLISECONDS);
        }

        void evict() {
            deque(channel.eventLoop()).remove(this);
            channel.close();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            expiry.cancel(false);
            evict();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            expiry.cancel(false);
            deque(channel.eventLoop()).remove(this);
        }

        /** Upstream channels allow half-closure (for tunnels): an idle one whose backend said EOF is dead. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                expiry.cancel(false);
                evict();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            expiry.cancel(false);
            evict();
        }
    }

    private ArrayDeque<Idle> deque(EventLoop loop) {
        return idle.computeIfAbsent(loop, l -> new ArrayDeque<>());
    }

    Channel acquire(EventLoop loop, Peer peer) {
        if (max == 0) {
            return null;
        }
        ArrayDeque<Idle> d = deque(loop);
        for (Iterator<Idle> it = d.descendingIterator(); it.hasNext(); ) {
            Idle i = it.next();
            if (i.peer == peer) {
                it.remove();
                i.expiry.cancel(false);
                if (i.channel.isActive() && !((DuplexChannel) i.channel).isInputShutdown()) {
                    i.channel.pipeline().remove(WATCHER);
                    return i.channel;
                }
                i.channel.close();
            }
        }
        return null;
    }

    /** Parks the connection; false when it cannot be kept (pool off, closed, keepalive_requests reached). */
    boolean release(Channel ch, Peer peer) {
        int served = ch.attr(REQUESTS).get() == null ? 1 : ch.attr(REQUESTS).get() + 1;
        ch.attr(REQUESTS).set(served);
        if (max == 0 || !ch.isActive() || served >= maxRequests) {
            return false;
        }
        ArrayDeque<Idle> d = deque(ch.eventLoop());
        if (d.size() >= max) {
            Idle oldest = d.pollFirst();
            oldest.expiry.cancel(false);
            oldest.channel.close();
        }
        Idle i = new Idle(ch, peer);
        ch.pipeline().addLast(WATCHER, i);
        d.addLast(i);
        ch.read();
        return true;
    }

    void closeAll() {
        for (Map.Entry<EventLoop, ArrayDeque<Idle>> e : idle.entrySet()) {
            e.getKey().execute(() -> {
                Idle i;
                while ((i = e.getValue().pollFirst()) != null) {
                    i.expiry.cancel(false);
                    i.channel.close();
                }
            });
        }
    }
}
