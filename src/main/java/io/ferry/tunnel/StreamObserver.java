package io.ferry.tunnel;

import io.netty.buffer.ByteBuf;

/**
 * Watches one direction of a tunnel without changing its bytes, to know where message boundaries
 * are (a WebSocket tunnel can then be ended between frames, never inside one).
 */
public interface StreamObserver {
    StreamObserver NONE = new StreamObserver() {
        @Override
        public void observe(ByteBuf bytes) {
        }

        @Override
        public boolean atBoundary() {
            return true;
        }
    };

    /** Sees each chunk before it is relayed; must not move the buffer's indexes. */
    void observe(ByteBuf bytes);

    boolean atBoundary();
}
