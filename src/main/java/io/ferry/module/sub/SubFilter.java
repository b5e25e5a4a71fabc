package io.ferry.module.sub;

import io.ferry.http.hook.BodyFilter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The sub_filter body filter (nginx's ngx_http_sub_body_filter) over one response's
 * {@link SubMatcher}. A replacement can be far longer than what it replaces, so a chunk whose
 * output reached a piece's size keeps its rest for the next {@link #drain}.
 */
final class SubFilter implements BodyFilter {
    static final int PIECE = 64 * 1024;

    private final SubMatcher matcher;
    private ByteBuf rest;

    SubFilter(SubMatcher matcher) {
        this.matcher = matcher;
    }

    @Override
    public ByteBuf filter(ByteBuf in, ByteBufAllocator alloc) {
        rest = in;
        return drain(alloc);
    }

    @Override
    public boolean pending() {
        return rest != null;
    }

    @Override
    public ByteBuf drain(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(Math.min(rest.readableBytes() + 256, PIECE));
        if (matcher.feed(rest, out, PIECE)) {
            release();
        }
        return out;
    }

    /** Held bytes stay held: they may begin a match that the next bytes complete. */
    @Override
    public ByteBuf flush(ByteBufAllocator alloc) {
        return alloc.buffer(0);
    }

    @Override
    public ByteBuf finish(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer();
        if (rest != null) {
            matcher.feed(rest, out, Integer.MAX_VALUE);
            release();
        }
        matcher.finish(out);
        return out;
    }

    @Override
    public void abandon() {
        release();
    }

    private void release() {
        if (rest != null) {
            rest.release();
            rest = null;
        }
    }
}
