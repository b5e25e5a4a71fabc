package io.ferry.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;

/**
 * Whether bytes waiting for a slow peer moved since the last look, judged as Netty's
 * {@code IdleStateHandler} with observeOutput judges it: the message being written, its progress and
 * the bytes waiting. send_timeout (a connection's and a tunnel side's) counts from the last move.
 */
public final class OutputProgress {
    private Object message;
    private long progress;
    private long pending;

    /** The channel's outbound buffer when bytes wait in it, else null. */
    public static ChannelOutboundBuffer waiting(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        return out != null && out.totalPendingWriteBytes() > 0 ? out : null;
    }

    /** Remembers the buffer as it is now. */
    public void remember(ChannelOutboundBuffer out) {
        message = out.current();
        progress = out.currentProgress();
        pending = out.totalPendingWriteBytes();
    }

    /** Whether the buffer moved since it was last remembered; remembers it as it is now. */
    public boolean moved(ChannelOutboundBuffer out) {
        boolean moved = out.current() != message || out.currentProgress() != progress
                || out.totalPendingWriteBytes() != pending;
        remember(out);
        return moved;
    }

    /** Lets go of the message remembered, which may be a large buffer. */
    public void forget() {
        message = null;
    }
}
