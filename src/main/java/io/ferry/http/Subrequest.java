package io.ferry.http;

import io.ferry.http.hook.BodyFilter;
import io.ferry.http.hook.SubrequestSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedInput;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The response side of a subrequest (nginx's ngx_http_subrequest): what its content handler writes
 * goes to a {@link SubrequestSink} instead of the client connection, through the body filters its
 * header filters chose. A write is done as soon as the sink has it, so handlers that read upstream
 * only after the previous chunk was written keep working unchanged.
 */
final class Subrequest {
    /** nginx's NGX_HTTP_MAX_SUBREQUESTS: how deep subrequests may nest. */
    static final int MAX_DEPTH = 50;

    private final ChannelHandlerContext ctx;
    private final SubrequestSink sink;
    final int depth;
    private final List<BodyFilter> filters = new ArrayList<>(0);
    private boolean ended;
    /** The filter that keeps input and is being drained, or -1; whether that input ends the body. */
    private int drainingAt = -1;
    private boolean drainingLast;
    private ChannelPromise drainingPromise;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private final ArrayDeque<ChannelPromise> waitingPromises = new ArrayDeque<>();
    /** The end, once what is being drained went to the sink. */
    private Runnable finishedWith;

    Subrequest(ChannelHandlerContext ctx, SubrequestSink sink, int depth) {
        this.ctx = ctx;
        this.sink = sink;
        this.depth = depth;
    }

    void install(BodyFilter filter) {
        filters.add(filter);
    }

    ChannelFuture write(Object msg) {
        if (drainingAt >= 0) {
            ChannelPromise later = ctx.newPromise();
            waiting.add(msg);
            waitingPromises.add(later);
            return later;
        }
        if (msg instanceof HttpResponse head) {
            sink.head(head);
        }
        if (msg instanceof HttpContent content) {
            body(content.content().retain(), content instanceof LastHttpContent);
            content.release();
            if (drainingAt >= 0) {
                drainingPromise = ctx.newPromise();
                return drainingPromise;
            }
        } else if (msg instanceof ChunkedInput<?> input) {
            readAll(input);
        } else if (msg instanceof FileRegion region) {
            // Files reach a subrequest as chunks (Exchange.zeroCopy); a region is only ever dropped.
            region.release();
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
        return ctx.newSucceededFuture();
    }

    /** A file sent in chunks: read here, at once, since nothing waits on a socket. */
    private void readAll(ChunkedInput<?> input) {
        try {
            while (!input.isEndOfInput()) {
                Object chunk = input.readChunk(ctx.alloc());
                if (chunk == null) {
                    break;
                }
                write(chunk);
            }
            input.close();
        } catch (Exception e) {
            try {
                input.close();
            } catch (Exception ignored) {
                // already failing
            }
        }
    }

    private void body(ByteBuf data, boolean last) {
        if (!sink.wantsBody()) {
            data.release();
            return;
        }
        run(0, data, true, last);
    }

    /**
     * Runs {@code data} through the filters from {@code from} on, as ResponseFilter does for the
     * client: a filter that keeps input (an SSI document waiting on its includes) is drained as far
     * as it gives, and what the handler writes meanwhile waits its turn.
     */
    private void run(int from, ByteBuf data, boolean filterFirst, boolean last) {
        ByteBufAllocator alloc = ctx.alloc();
        ByteBuf out = data;
        for (int i = from; i < filters.size(); i++) {
            BodyFilter f = filters.get(i);
            if (i > from || filterFirst) {
                out = f.filter(out, alloc);
            }
            if (f.pending()) {
                deliver(through(i + 1, out));
                drainingAt = i;
                drainingLast = last;
                resume();
                return;
            }
            if (last) {
                out = append(out, f.finish(alloc));
            }
        }
        deliver(out);
    }

    /** Drains the filter that keeps input until it gave all, or waits until it is ready to give more. */
    private void resume() {
        while (drainingAt >= 0 && !ended) {
            BodyFilter f = filters.get(drainingAt);
            ByteBuf piece = f.drain(ctx.alloc());
            if (piece == null) {
                f.whenReady(this::resume);
                return;
            }
            if (f.pending()) {
                deliver(through(drainingAt + 1, piece));
                continue;
            }
            int at = drainingAt;
            drainingAt = -1;
            if (drainingLast) {
                piece = append(piece, f.finish(ctx.alloc()));
            }
            run(at + 1, piece, true, drainingLast);
            if (drainingAt < 0) {
                drained();
            }
            return;
        }
    }

    /** The filter gave everything: the write that started it is done, and what waited goes in order. */
    private void drained() {
        if (drainingPromise != null) {
            ChannelPromise p = drainingPromise;
            drainingPromise = null;
            p.trySuccess();
        }
        while (drainingAt < 0 && !waiting.isEmpty()) {
            Object msg = waiting.poll();
            ChannelPromise p = waitingPromises.poll();
            ChannelFuture f = write(msg);
            f.addListener(done -> p.trySuccess());
        }
        if (drainingAt < 0 && waiting.isEmpty() && finishedWith != null) {
            Runnable end = finishedWith;
            finishedWith = null;
            end.run();
        }
    }

    private ByteBuf through(int from, ByteBuf data) {
        ByteBuf out = data;
        for (int i = from; i < filters.size(); i++) {
            out = filters.get(i).filter(out, ctx.alloc());
        }
        return out;
    }

    private void deliver(ByteBuf data) {
        if (data.isReadable()) {
            sink.body(data);
        } else {
            data.release();
        }
    }

    private ByteBuf append(ByteBuf data, ByteBuf tail) {
        if (!tail.isReadable()) {
            tail.release();
            return data;
        }
        return ctx.alloc().compositeBuffer(2).addComponents(true, data, tail);
    }

    /** The subrequest's end reaches the sink in a task of its own, after whatever started it returned. */
    void finished(Exchange subrequest, boolean complete) {
        if (ended) {
            return;
        }
        if (complete && (drainingAt >= 0 || !waiting.isEmpty())) {
            finishedWith = () -> finished(subrequest, true);
            return;
        }
        ended = true;
        if (!complete || !sink.wantsBody()) {
            filters.forEach(BodyFilter::abandon);
        }
        ctx.executor().execute(() -> sink.done(subrequest, complete));
    }

    /** The parent went away: the sink is not told, the body filters are let go. */
    void cancelled() {
        ended = true;
        filters.forEach(BodyFilter::abandon);
        waiting.forEach(ReferenceCountUtil::release);
        waiting.clear();
        waitingPromises.clear();
    }
}
