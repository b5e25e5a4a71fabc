package io.ferry.http.hook;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Rewrites the bytes of one response body as they pass (nginx's body filter chain). Each call takes
 * ownership of its input and returns what to send now, possibly an empty buffer; memory stays
 * bounded because nothing waits for the whole body.
 */
public interface BodyFilter {
    ByteBuf filter(ByteBuf in, ByteBufAllocator alloc);

    /** The producer flushed: return what makes everything so far readable by the client. */
    ByteBuf flush(ByteBufAllocator alloc);

    /** End of the body: the rest. */
    ByteBuf finish(ByteBufAllocator alloc);

    /** The response was cut off before its end: free what the filter holds. */
    void abandon();
}
