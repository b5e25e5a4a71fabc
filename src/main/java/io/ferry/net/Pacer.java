package io.ferry.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Paces what a connection sends (nginx's limit_rate in its write filter, and stream's
 * proxy_download_rate): a {@link Rate} written down the pipeline applies to every byte written
 * after it, until the next one. As nginx, the bytes allowed by a time are
 * {@code after + rate * (seconds since the start + 1)}, and what was sent beyond {@code after}
 * is followed by a pause as long as the rate needs to send it: the first second's worth goes at
 * once, the rest no faster than the rate. What waits stays in order, on an event loop timer,
 * never a thread; a buffer or a {@link Region} is cut into the pieces the budget allows, so a file
 * still goes out zero-copy. Meanwhile the channel reports itself unwritable (chunked writers wait)
 * and a write's promise completes only once all of it went out (proxies read on from their upstream
 * only then).
 */
public final class Pacer extends ChannelDuplexHandler {
    /** The bit of the channel's writability this handler owns while bytes wait (the body filters own 1). */
    private static final int PACING = 2;

    /** From here on, no more than {@code after} bytes plus {@code bytesPerSecond} a second since {@code startNanos}; 0 = no limit. */
    public record Rate(long bytesPerSecond, long after, long startNanos) {
        public static final Rate NONE = new Rate(0, 0, 0);
    }

    /** A file region whose file the pacer can send in pieces; it owns the file channel. */
    public static final class Region extends DefaultFileRegion {
        private final FileChannel file;
        private final long start;
        private long cut;

        public Region(FileChannel file, long position, long count) {
            super(file, position, count);
            this.file = file;
            this.start = position;
        }
    }

    /** A piece of a {@link Region}: the region, not the piece, closes the file. */
    private static final class Piece extends DefaultFileRegion {
        Piece(FileChannel file, long position, long count) {
            super(file, position, count);
        }

        @Override
        protected void deallocate() {
        }
    }

    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private final ArrayDeque<ChannelPromise> promises = new ArrayDeque<>();
    private Rate rate = Rate.NONE;
    private long sent;
    private boolean flushWanted;
    private ScheduledFuture<?> timer;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (queue.isEmpty() && (rate.bytesPerSecond() == 0 || msg instanceof Rate)) {
            if (msg instanceof Rate r) {
                // the pause after the last bytes of the previous response does not hold up this one
                if (timer != null) {
                    timer.cancel(false);
                    timer = null;
                }
                start(r);
                promise.trySuccess();
            } else {
                ctx.write(msg, promise);
            }
            return;
        }
        queue.add(msg);
        promises.add(promise);
        drain(ctx);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (!queue.isEmpty()) {
            flushWanted = true;
        }
        ctx.flush();
    }

    private void start(Rate r) {
        rate = r;
        sent = 0;
    }

    /** Writes what the budget allows, in order; arms the timer for the rest. */
    private void drain(ChannelHandlerContext ctx) {
        boolean wrote = false;
        long before = sent;
        long wait = 0;
        while (timer == null && !queue.isEmpty()) {
            Object msg = queue.peek();
            if (msg instanceof Rate r) {
                queue.poll();
                promises.poll().trySuccess();
                start(r);
                before = 0;
                continue;
            }
            long size = size(msg);
            long budget = rate.bytesPerSecond() == 0 ? Long.MAX_VALUE : budget();
            if (budget <= 0) {
                wait = -budget * 1000 / rate.bytesPerSecond() + 1;
                break;
            }
            wrote = true;
            if (size <= budget) {
                queue.poll();
                last(ctx, msg, promises.poll());
                sent += size;
            } else {
                ctx.write(piece(msg, budget), ctx.newPromise());
                sent += budget;
            }
        }
        // as nginx: after sending, the time the rate needs for what was sent; else until the budget allows a byte
        long counted = Math.max(0, sent - rate.after()) - Math.max(0, before - rate.after());
        if (timer == null && counted > 0 && rate.bytesPerSecond() > 0) {
            pause(ctx, counted * 1000 / rate.bytesPerSecond());
        } else if (timer == null) {
            pause(ctx, wait);
        }
        writable(ctx, queue.isEmpty());
        if (wrote && flushWanted) {
            flushWanted = !queue.isEmpty();
            ctx.flush();
        }
    }

    private void pause(ChannelHandlerContext ctx, long millis) {
        if (millis > 0) {
            timer = ctx.executor().schedule(() -> {
                timer = null;
                drain(ctx);
            }, millis, TimeUnit.MILLISECONDS);
        }
    }

    private long budget() {
        // whole seconds, as nginx's ngx_time(): a budget grows by the rate once a second, not byte by byte
        long seconds = (System.nanoTime() - rate.startNanos()) / 1_000_000_000L;
        return rate.after() + rate.bytesPerSecond() * (seconds + 1) - sent;
    }

    private static long size(Object msg) {
        if (msg instanceof ByteBuf buf) {
            return buf.readableBytes();
        }
        if (msg instanceof Region r) {
            return r.count() - r.cut;
        }
        if (msg instanceof FileRegion r) {
            return r.count() - r.transferred();
        }
        return 0;
    }

    /** The first {@code n} bytes of a message larger than that (only buffers and regions have a size). */
    private static Object piece(Object msg, long n) {
        if (msg instanceof ByteBuf buf) {
            return buf.readRetainedSlice((int) n);
        }
        Region r = (Region) msg;
        Piece p = new Piece(r.file, r.start + r.cut, n);
        r.cut += n;
        return p;
    }

    /** The rest of a message; a region already cut goes as its last piece, and closes its file once that went out. */
    private static void last(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Region r && r.cut > 0) {
            promise.addListener((ChannelFutureListener) f -> r.release());
            ctx.write(new Piece(r.file, r.start + r.cut, r.count() - r.cut), promise);
            return;
        }
        ctx.write(msg, promise);
    }

    private static void writable(ChannelHandlerContext ctx, boolean writable) {
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        if (buffer != null) {
            buffer.setUserDefinedWritability(PACING, writable);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        abandon();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        abandon();
    }

    private void abandon() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        while (!queue.isEmpty()) {
            ReferenceCountUtil.release(queue.poll());
            promises.poll().tryFailure(new ClosedChannelException());
        }
    }
}
