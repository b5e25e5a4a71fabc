package io.ferry.http.v2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * nginx does not insist that a client's first frame be SETTINGS (RFC 9113, 3.4); Netty's codec ends such a
 * connection at once. As nginx serves those clients, a connection whose first frame after the preface is
 * anything else (an acknowledgement of the server's SETTINGS included) is read as if an empty SETTINGS frame (every default kept) had come first.
 * That frame was never sent, so its acknowledgement is not sent either: the client would take it for the
 * acknowledgement of a SETTINGS frame it did send.
 */
final class PrefaceSettings extends ByteToMessageDecoder {
    private static final int PREFACE = 24;
    private static final int FRAME_HEADER = 9;
    private static final byte SETTINGS = 0x4;
    private static final int ACK = 0x1;
    private static final byte[] EMPTY_SETTINGS = {0, 0, 0, SETTINGS, 0, 0, 0, 0, 0};

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < PREFACE + FRAME_HEADER) {
            return;
        }
        int frame = in.readerIndex() + PREFACE;
        boolean settings = in.getByte(frame + 3) == SETTINGS && (in.getByte(frame + 4) & ACK) == 0;
        if (!settings) {
            out.add(in.readRetainedSlice(PREFACE));
            out.add(ctx.alloc().buffer(EMPTY_SETTINGS.length).writeBytes(EMPTY_SETTINGS));
            ctx.pipeline().addAfter(ctx.name(), "h2-preface-ack", new UnsentAck());
        }
        ctx.pipeline().remove(this);
    }

    /** Between the codec and the socket until the codec's first SETTINGS acknowledgement, the one it drops. */
    private static final class UnsentAck extends ChannelOutboundHandlerAdapter {
        private static final byte[] SETTINGS_ACK = {0, 0, 0, SETTINGS, ACK, 0, 0, 0, 0};

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf b && b.readableBytes() == SETTINGS_ACK.length
                    && ByteBufUtil.equals(b, Unpooled.wrappedBuffer(SETTINGS_ACK))) {
                b.release();
                promise.setSuccess();
                ctx.pipeline().remove(this);
                return;
            }
            ctx.write(msg, promise);
        }
    }
}
