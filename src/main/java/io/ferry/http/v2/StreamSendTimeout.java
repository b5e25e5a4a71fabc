package io.ferry.http.v2;

import io.ferry.http.SendTimeout;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.time.Duration;

/**
 * send_timeout on one stream: a response the client's flow-control window holds back waits in the
 * codec, not in the connection's socket buffer, so the connection's own send_timeout never sees it. As
 * nginx does, a stream whose client takes none of its pending data for that long is reset, and a
 * graceful shutdown is not kept waiting for it.
 */
final class StreamSendTimeout extends SendTimeout {
    StreamSendTimeout(Duration timeout) {
        super(timeout);
    }

    @Override
    protected boolean sending(ChannelHandlerContext ctx) {
        if (!(ctx.channel() instanceof Http2StreamChannel child)) {
            return false;
        }
        Http2FrameCodec codec = child.parent().pipeline().get(Http2FrameCodec.class);
        Http2Stream stream = codec == null ? null : codec.connection().stream(child.stream().id());
        return stream != null && codec.connection().remote().flowController().hasFlowControlled(stream);
    }

    /**
     * Netty's stream channel closes without a reset once the client's request has ended, which would
     * leave the held-back response queued in the codec: the reset (PROTOCOL_ERROR, as nginx sends for a
     * timed-out stream) drops it.
     */
    @Override
    protected void cutOff(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
        ctx.close();
    }
}
