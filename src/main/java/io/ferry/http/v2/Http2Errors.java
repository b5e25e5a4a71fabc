package io.ferry.http.v2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's protocol errors, told to it with the code that names them, as nginx does. The frame codec
 * answers a connection error with GOAWAY and the error's code, then closes: nothing above it may close
 * first, or the client would read a GOAWAY without an error. A stream error would reach the client as the
 * CANCEL the multiplexer sends for any stream it closes; its own code goes out first.
 */
final class Http2Errors extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException e) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(e.error()).stream(e.stream()));
            ctx.fireExceptionCaught(cause);
        } else if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            LOG.info("client sent invalid HTTP/2 ({}) while processing HTTP/2 connection, client: {}",
                    cause.getMessage(), ctx.channel().remoteAddress());
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }
}
