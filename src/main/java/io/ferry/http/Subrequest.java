package io.ferry.http;

import io.ferry.http.hook.BodyFilter;
import io.ferry.http.hook.SubrequestSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedInput;
import io.netty.util.ReferenceCountUtil;
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

    Subrequest(ChannelHandlerContext ctx, SubrequestSink sink, int depth) {
        this.ctx = ctx;
        this.sink = sink;
        this.depth = depth;
    }

    void install(BodyFilter filter) {
        filters.add(filter);
    }

    ChannelFuture write(Object msg) {
        if (msg instanceof HttpResponse head) {
            sink.head(head);
        }
        if (msg instanceof HttpContent content) {
            body(content.content().retain(), content instanceof LastHttpContent);
            content.release();
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
        ByteBufAllocator alloc = ctx.alloc();
        for (BodyFilter f : filters) {
            data = f.filter(data, alloc);
            if (last) {
                ByteBuf tail = f.finish(alloc);
                data = tail.isReadable() ? alloc.compositeBuffer(2).addComponents(true, data, tail) : release(tail, data);
            }
        }
        if (data.isReadable()) {
            sink.body(data);
        } else {
            data.release();
        }
    }

    private static ByteBuf release(ByteBuf dropped, ByteBuf kept) {
        dropped.release();
        return kept;
    }

    /** The subrequest's end reaches the sink in a task of its own, after whatever started it returned. */
    void finished(Exchange subrequest, boolean complete) {
        if (ended) {
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
    }
}
