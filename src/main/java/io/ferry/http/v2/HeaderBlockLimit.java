package io.ferry.http.v2;

import io.ferry.model.ServerLimits;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * large_client_header_buffers as nginx applies it to a decoded header block: no field's name or value
 * longer than one buffer, the names and values together no longer than all of them. nginx counts the
 * bytes themselves, not HPACK's 32 per field that Netty's SETTINGS_MAX_HEADER_LIST_SIZE adds, so a
 * block just under the limit is served; one over it ends the connection with ENHANCE_YOUR_CALM.
 */
final class HeaderBlockLimit extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    /** Fields a block may carry on top of its bytes in Netty's accounting, 32 bytes each (nginx's max_headers default). */
    private static final int FIELDS = 1000;

    private final int fieldSize;
    private final long blockSize;

    HeaderBlockLimit(ServerLimits limits) {
        this.fieldSize = limits.largeBufferSize();
        this.blockSize = (long) limits.largeBufferCount() * limits.largeBufferSize();
    }

    /** The SETTINGS_MAX_HEADER_LIST_SIZE that lets every block this limit allows reach it. */
    static long headerListSize(ServerLimits limits) {
        return (long) limits.largeBufferCount() * limits.largeBufferSize() + 32L * FIELDS;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame h) {
            String refusal = refusal(h);
            if (refusal != null) {
                LOG.info("{} while processing HTTP/2 connection, client: {}", refusal, ctx.channel().parent().remoteAddress());
                ReferenceCountUtil.release(msg);
                ctx.channel().parent().writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private String refusal(Http2HeadersFrame h) {
        long total = 0;
        for (Map.Entry<CharSequence, CharSequence> field : h.headers()) {
            int name = field.getKey().length();
            int value = field.getValue().length();
            if (name > fieldSize || value > fieldSize) {
                return "client sent too large header field";
            }
            total += name + value;
        }
        return total > blockSize ? "client sent too large header" : null;
    }
}
