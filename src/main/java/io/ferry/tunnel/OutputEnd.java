package io.ferry.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;

/**
 * A side of a tunnel that frames the end of its output itself (an HTTP/2 stream's END_STREAM) rather
 * than by a socket half-close; found in that side's pipeline.
 */
public interface OutputEnd extends ChannelHandler {
    /** Ends what {@code side} sends, after whatever is queued for it, leaving its input open. */
    void endOutput(Channel side);
}
