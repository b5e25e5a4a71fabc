package io.ferry.http.hook;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Rewrites the bytes of one response body as they pass (nginx's body filter chain). Each call takes
 * ownership of its input and returns what to send now, possibly an empty buffer; memory stays
 * bounded because nothing waits for the whole body.
 */
public interface BodyFilter {
    ByteBuf filter(ByteBuf in, ByteBufAllocator alloc);

    /**
     * Whether the last call kept input it has not yet turned into output, because its output would
     * have grown past what one piece may hold (a decompressor). The chain then sends what it
     * returned and asks {@link #drain} for more once that went out.
     */
    default boolean pending() {
        return false;
    }

    /**
     * The next piece of output for the input kept; called only while {@link #pending()}. Null when
     * that output waits on something outside the chain (an SSI include's subrequest): the chain then
     * asks again only once the filter ran what {@link #whenReady} gave it.
     */
    default ByteBuf drain(ByteBufAllocator alloc) {
        return alloc.buffer(0);
    }

    /** What to run once output that {@link #drain} could not give yet is ready; run once, on the event loop. */
    default void whenReady(Runnable ready) {
    }

    /** The producer flushed: return what makes everything so far readable by the client. */
    ByteBuf flush(ByteBufAllocator alloc);

    /** End of the body: the rest. */
    ByteBuf finish(ByteBufAllocator alloc);

    /** After every filter finished: fields to add to the trailer that follows the last chunk (nginx's headers_out.trailers). */
    default void trailers(HttpHeaders trailers) {
    }

    /** The response was cut off before its end: free what the filter holds. */
    void abandon();
}
