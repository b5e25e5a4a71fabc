package io.ferry.http;

import io.ferry.http.hook.BodyFilter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The body filter chain of a client connection, between the HTTP codec and every content source:
 * the body filters a response's header filters chose ({@link Exchange#addBodyFilter}) rewrite its
 * chunks on their way out. A flush from the source flushes the filters too, so a streamed response
 * is never held back. Responses without body filters pass untouched (file regions included).
 *
 * <p>A filter whose output can be far larger than its input (gunzip) keeps the rest of a chunk
 * ({@link BodyFilter#pending}); its output then goes out one piece at a time, the next piece only
 * once the last one left, and the source is held back meanwhile: the chunk's write completes only
 * when all of it went out (proxies read on from their upstream only then), the channel reports
 * itself unwritable (chunked files wait), and anything else written meanwhile waits its turn.
 */
public final class ResponseFilter extends ChannelDuplexHandler {
    /** The bit of the channel's writability this handler owns while a filter drains. */
    private static final int DRAINING = 1;
    /** add_trailer may name any field, as nginx lets it (Netty's trailers refuse Content-Length and the like). */
    private static final DefaultHttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory()
            .withValidation(false);
    private final List<BodyFilter> pending = new ArrayList<>(1);
    private List<BodyFilter> active;
    /** The filter that holds input, or -1. */
    private int drainingAt = -1;
    /** The trailers of the chunk being drained when it is the last one, else null. */
    private HttpHeaders drainingTrailers;
    private ChannelPromise drainingPromise;
    private boolean flushWanted;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private final ArrayDeque<ChannelPromise> waitingPromises = new ArrayDeque<>();

    /** Adds a body filter to the response whose head is written next. */
    void install(BodyFilter filter) {
        pending.add(filter);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (drainingAt >= 0) {
            waiting.add(msg);
            waitingPromises.add(promise);
            return;
        }
        if (msg instanceof HttpResponse head) {
            active = pending.isEmpty() ? null : List.copyOf(pending);
            pending.clear();
            if (active != null && msg instanceof FullHttpResponse full) {
                ctx.write(new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers()));
                content(ctx, full, promise);
                return;
            }
            ctx.write(head, promise);
        } else if (active != null && msg instanceof HttpContent content) {
            content(ctx, content, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    private void content(ChannelHandlerContext ctx, HttpContent content, ChannelPromise promise) {
        ByteBuf in = content.content().retain();
        HttpHeaders trailers = content instanceof LastHttpContent last
                ? TRAILERS.newHeaders().add(last.trailingHeaders()) : null;
        content.release();
        run(ctx, 0, in, true, trailers, promise);
    }

    /**
     * Runs {@code data} through the filters from {@code from} on ({@code filterFirst}: through that
     * one too, else it is its drained output), finishing each at the body's end; stops at a filter
     * that keeps input, sending what it gave so far, and goes on from there once that went out.
     */
    private void run(ChannelHandlerContext ctx, int from, ByteBuf data, boolean filterFirst, HttpHeaders trailers,
                     ChannelPromise promise) {
        ByteBufAllocator alloc = ctx.alloc();
        ByteBuf out = data;
        for (int i = from; i < active.size(); i++) {
            BodyFilter f = active.get(i);
            if (i > from || filterFirst) {
                out = f.filter(out, alloc);
            }
            if (f.pending()) {
                drain(ctx, i, through(alloc, i + 1, out), trailers, promise);
                return;
            }
            if (trailers != null) {
                out = append(alloc, out, f.finish(alloc));
            }
        }
        if (trailers != null) {
            for (BodyFilter f : active) {
                f.trailers(trailers);
            }
            active = null;
            ctx.write(new DefaultLastHttpContent(out, trailers), promise);
        } else if (out.isReadable()) {
            ctx.write(new DefaultHttpContent(out), promise);
        } else {
            out.release();
            promise.setSuccess();
        }
    }

    /** Filters after a draining one see only its output: none of them keeps input of its own. */
    private ByteBuf through(ByteBufAllocator alloc, int from, ByteBuf data) {
        ByteBuf out = data;
        for (int i = from; i < active.size(); i++) {
            out = active.get(i).filter(out, alloc);
        }
        return out;
    }

    private void drain(ChannelHandlerContext ctx, int at, ByteBuf piece, HttpHeaders trailers, ChannelPromise promise) {
        if (drainingAt < 0) {
            drainingAt = at;
            drainingTrailers = trailers;
            drainingPromise = promise;
            writable(ctx, false);
        }
        ctx.writeAndFlush(new DefaultHttpContent(piece)).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                next(ctx);
            } else if (drainingPromise != null) {
                drainingPromise.tryFailure(f.cause());
            }
        });
    }

    /** The last piece went out: the next, or the rest of the chain once the filter gave everything. */
    private void next(ChannelHandlerContext ctx) {
        if (drainingAt < 0 || active == null) {
            return;
        }
        int at = drainingAt;
        BodyFilter f = active.get(at);
        ByteBuf piece = f.drain(ctx.alloc());
        if (piece == null) {
            f.whenReady(() -> next(ctx));
            return;
        }
        if (f.pending()) {
            drain(ctx, at, through(ctx.alloc(), at + 1, piece), drainingTrailers, drainingPromise);
            return;
        }
        HttpHeaders trailers = drainingTrailers;
        ChannelPromise promise = drainingPromise;
        drainingAt = -1;
        drainingTrailers = null;
        drainingPromise = null;
        if (trailers != null) {
            piece = append(ctx.alloc(), piece, f.finish(ctx.alloc()));
        }
        run(ctx, at + 1, piece, true, trailers, promise);
        if (drainingAt < 0) {
            writable(ctx, true);
            replay(ctx);
        }
    }

    /** What was written while the filter drained, in order, until one of them drains in turn. */
    private void replay(ChannelHandlerContext ctx) {
        while (drainingAt < 0 && !waiting.isEmpty()) {
            write(ctx, waiting.poll(), waitingPromises.poll());
        }
        if (drainingAt < 0 && flushWanted) {
            flushWanted = false;
            flush(ctx);
        }
    }

    private static void writable(ChannelHandlerContext ctx, boolean writable) {
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        if (buffer != null) {
            buffer.setUserDefinedWritability(DRAINING, writable);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (drainingAt >= 0) {
            flushWanted = true;
            ctx.flush();
            return;
        }
        if (active != null) {
            ByteBufAllocator alloc = ctx.alloc();
            ByteBuf out = alloc.buffer(0);
            for (BodyFilter f : active) {
                out = append(alloc, f.filter(out, alloc), f.flush(alloc));
            }
            if (out.isReadable()) {
                ctx.write(new DefaultHttpContent(out));
            } else {
                out.release();
            }
        }
        ctx.flush();
    }

    private static ByteBuf append(ByteBufAllocator alloc, ByteBuf a, ByteBuf b) {
        if (!a.isReadable()) {
            a.release();
            return b;
        }
        if (!b.isReadable()) {
            b.release();
            return a;
        }
        return alloc.compositeBuffer(2).addComponents(true, a, b);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        abandon();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        abandon();
        ctx.fireChannelInactive();
    }

    private void abandon() {
        if (active != null) {
            active.forEach(BodyFilter::abandon);
            active = null;
        }
        pending.forEach(BodyFilter::abandon);
        pending.clear();
        drainingAt = -1;
        if (drainingPromise != null) {
            drainingPromise.tryFailure(new java.nio.channels.ClosedChannelException());
            drainingPromise = null;
        }
        while (!waiting.isEmpty()) {
            ReferenceCountUtil.release(waiting.poll());
            waitingPromises.poll().tryFailure(new java.nio.channels.ClosedChannelException());
        }
    }
}
