package io.ferry.http.v2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * send_timeout for one stream: a response whose DATA waits on a flow-control window the client does not
 * open for that long is ended, as nginx ends it, with RST_STREAM (PROTOCOL_ERROR), so neither the stream
 * nor a graceful stop waiting for it hangs on a stalled client. The connection's socket may be writable
 * all along, so this is the stream's own window, not the connection's send_timeout.
 */
final class StreamSendTimeout extends IdleStateHandler {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    StreamSendTimeout(Duration timeout) {
        super(0, timeout.toMillis(), 0, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        if (evt.state() != IdleState.WRITER_IDLE || !waiting((Http2StreamChannel) ctx.channel())) {
            return;
        }
        LOG.info("client timed out (110: Connection timed out) while sending response to client, client: {}",
                ctx.channel().parent().remoteAddress());
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
        ctx.close();
    }

    /** Whether response bytes for the stream sit in the codec's flow controller, waiting for the client's window. */
    private static boolean waiting(Http2StreamChannel ch) {
        Http2FrameCodec codec = ch.parent().pipeline().get(Http2FrameCodec.class);
        Http2Stream stream = codec == null ? null : codec.connection().stream(ch.stream().id());
        return stream != null && codec.connection().remote().flowController().hasFlowControlled(stream);
    }
}
