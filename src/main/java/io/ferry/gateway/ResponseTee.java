package io.ferry.gateway;

import io.netty.buffer.ByteBuf;

/**
 * A copy of an upstream response's body taken as it passes to the client (the cache's writer): it
 * sees every body byte in order, then either the end of a complete response or an abort.
 */
public interface ResponseTee {
    /** Copies the readable bytes of {@code bytes}, leaving its indexes and reference count alone. */
    void body(ByteBuf bytes);

    /** The response arrived whole. */
    void end();

    /** The response will not arrive whole (upstream error, client gone): nothing of it is kept. */
    void abort();
}
