package io.ferry.gateway;

import io.netty.handler.codec.http.HttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * The request body kept for a retry on another peer. nginx spools the whole body to disk; Ferry
 * keeps at most {@link #LIMIT} bytes in memory, so a longer body can only be sent once.
 */
final class ReplayBuffer {
    static final int LIMIT = 64 * 1024;

    private final List<HttpContent> chunks = new ArrayList<>();
    private long bytes;
    private boolean replayable = true;

    /** Keeps a retained view of {@code chunk} while the body fits; the first byte beyond the limit drops all of it. */
    void offer(HttpContent chunk) {
        if (!replayable) {
            return;
        }
        bytes += chunk.content().readableBytes();
        if (bytes > LIMIT) {
            replayable = false;
            release();
        } else {
            chunks.add(chunk.retainedDuplicate());
        }
    }

    boolean replayable() {
        return replayable;
    }

    /** The kept chunks, owned by this buffer: a replay sends retained duplicates of them. */
    List<HttpContent> chunks() {
        return chunks;
    }

    void release() {
        chunks.forEach(HttpContent::release);
        chunks.clear();
    }
}
