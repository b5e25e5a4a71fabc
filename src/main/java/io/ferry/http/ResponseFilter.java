package io.ferry.http;

import io.ferry.http.hook.BodyFilter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * The body filter chain of a client connection, between the HTTP codec and every content source:
 * the body filters a response's header filters chose ({@link Exchange#addBodyFilter}) rewrite its
 * chunks on their way out. A flush from the source flushes the filters too, so a streamed response
 * is never held back. Responses without body filters pass untouched (file regions included).
 */
public final class ResponseFilter extends ChannelDuplexHandler {
    private final List<BodyFilter> pending = new ArrayList<>(1);
    private List<BodyFilter> active;

    /** Adds a body filter to the response whose head is written next. */
    void install(BodyFilter filter) {
        pending.add(filter);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
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
        ByteBufAllocator alloc = ctx.alloc();
        ByteBuf out = content.content().retain();
        content.release();
        boolean end = content instanceof LastHttpContent;
        for (BodyFilter f : active) {
            out = f.filter(out, alloc);
            if (end) {
                out = append(alloc, out, f.finish(alloc));
            }
        }
        if (content instanceof LastHttpContent last) {
            active = null;
            DefaultLastHttpContent tail = new DefaultLastHttpContent(out);
            tail.trailingHeaders().set(last.trailingHeaders());
            ctx.write(tail, promise);
        } else if (out.isReadable()) {
            ctx.write(new DefaultHttpContent(out), promise);
        } else {
            out.release();
            promise.setSuccess();
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
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
    }
}
