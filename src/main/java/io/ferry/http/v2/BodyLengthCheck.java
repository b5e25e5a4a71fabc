package io.ferry.http.v2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.buffer.Unpooled;

/**
 * A request body longer or shorter than its content-length is malformed (RFC 9113, 8.1.1); Netty's codec
 * finds it and would reset the stream, where nginx answers it with 400 (which the RFC allows before the
 * reset). Between the codec and the multiplexer, this turns that stream error into a body that failed to
 * decode, delivered to the stream in order, so the exchange answers 400 (and its error_page) as it does
 * for a broken HTTP/1.1 chunked body.
 */
final class BodyLengthCheck extends ChannelInboundHandlerAdapter {
    /** The only wording Netty gives the mismatch; its other stream errors keep their reset. */
    private static final String MISMATCH = "content-length header";

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException e && e.error() == Http2Error.PROTOCOL_ERROR
                && e.getCause() != null && String.valueOf(e.getCause().getMessage()).contains(MISMATCH)) {
            ctx.fireChannelRead(new Mismatch(e.stream(), e.getCause()));
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    /** The stream's notice that its body did not match its content-length, read after the DATA before it. */
    record Mismatch(Http2FrameStream stream, Throwable cause) implements Http2StreamFrame {
        @Override
        public Http2StreamFrame stream(Http2FrameStream stream) {
            throw new UnsupportedOperationException("bound to its stream");
        }

        @Override
        public String name() {
            return "BODY_LENGTH_MISMATCH";
        }

        LastHttpContent asContent() {
            LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            failed.setDecoderResult(DecoderResult.failure(cause));
            return failed;
        }
    }
}
