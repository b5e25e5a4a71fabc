package io.ferry.http.v2;

import io.ferry.http.ServerCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * HTTP/2 with prior knowledge on a plain listener where http2 is on (nginx 1.25's semantics): a client
 * whose first bytes are the connection preface gets HTTP/2, any other keeps HTTP/1.x on the same port.
 * The bytes read while deciding go on, unconsumed, to whichever codec won.
 */
public final class PrefaceSwitch extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    /** "PRI * HTTP/2.0\r\n\r\n", the part of the preface shaped as an HTTP/1 request head. */
    private static final int REQUEST_LINE = 18;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.ferry.error");
    private final Runnable toHttp2;

    public PrefaceSwitch(Runnable toHttp2) {
        this.toHttp2 = toHttp2;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n)) {
            if (n > REQUEST_LINE && ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), REQUEST_LINE)) {
                // "PRI * HTTP/2.0" and its empty line are HTTP/2's alone: a preface gone wrong is a bad request, as in nginx
                LOG.info("invalid http2 connection preface, client: {}", ctx.channel().remoteAddress());
                ctx.pipeline().get(ServerCodec.class).refuseNext("invalid http2 connection preface");
            }
            ctx.pipeline().remove(this);
        } else if (n == PREFACE.readableBytes()) {
            toHttp2.run();
            ctx.pipeline().remove(this);
        }
    }
}
