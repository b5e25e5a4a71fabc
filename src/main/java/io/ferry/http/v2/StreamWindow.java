package io.ferry.http.v2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;

/** What an exchange tells its HTTP/2 stream about the request body, as nginx's HTTP/2 module does. */
public final class StreamWindow {
    /** The largest window HTTP/2 allows (RFC 9113, 6.9.1). */
    private static final int MAX_WINDOW = Integer.MAX_VALUE;

    private StreamWindow() {
    }

    /**
     * A body read whole into memory or a file is taken as fast as it arrives, so flow control would only
     * slow it down: the stream's window opens to the largest at once and is kept there, as nginx does for a
     * buffered body. An unbuffered body keeps the preread window, refilled only as the upstream takes it.
     * The largest less {@code prereadSize}: until the client acknowledges the server's SETTINGS, a stream
     * opens with the protocol's default window, and the acknowledgement then adds the difference to it.
     */
    public static void openForBuffering(Channel channel, int prereadSize) {
        Http2Stream stream = stream(channel);
        if (stream == null) {
            return;
        }
        Http2Connection connection = codec(channel).connection();
        try {
            int window = connection.local().flowController().initialWindowSize(stream);
            int open = MAX_WINDOW - prereadSize;
            if (window < open) {
                connection.local().flowController().incrementWindowSize(stream, open - window);
                channel.parent().flush();
            }
        } catch (Http2Exception e) {
            // the stream ended meanwhile: there is nothing left to open
        }
    }

    /**
     * Ends a stream whose response is whole: when the client has not finished its body, the rest is
     * refused without error (RST_STREAM NO_ERROR, RFC 9113, 8.1) as nginx does, rather than read and dropped.
     */
    public static void endAnswered(Channel channel) {
        // after the write under way is flushed, so the stream's state shows its response ended
        channel.eventLoop().execute(() -> {
            Http2Stream stream = stream(channel);
            if (stream != null && stream.state() == Http2Stream.State.HALF_CLOSED_LOCAL) {
                // below the stream codec, which lets nothing more out once the response has ended
                ChannelHandlerContext codec = channel.pipeline().context(StreamCodec.class);
                (codec != null ? codec : channel).writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
            }
            channel.close();
        });
    }

    private static Http2FrameCodec codec(Channel channel) {
        return channel.parent().pipeline().get(Http2FrameCodec.class);
    }

    private static Http2Stream stream(Channel channel) {
        if (!(channel instanceof Http2StreamChannel child) || codec(channel) == null) {
            return null;
        }
        return codec(channel).connection().stream(child.stream().id());
    }
}
