package io.ferry.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.List;

/**
 * Bytes from a FastCGI application into {@link FastCgiRecord}s. A record is emitted once its
 * content is complete (at most 64 KiB), so memory per connection stays bounded; padding is skipped.
 */
public final class FastCgiDecoder extends ByteToMessageDecoder {
    private int skip;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            if (skip > 0) {
                int n = Math.min(skip, in.readableBytes());
                in.skipBytes(n);
                skip -= n;
                if (skip > 0) {
                    return;
                }
            }
            if (in.readableBytes() < FastCgi.HEADER_LENGTH) {
                return;
            }
            int start = in.readerIndex();
            int version = in.getUnsignedByte(start);
            if (version != FastCgi.VERSION) {
                in.skipBytes(in.readableBytes());
                throw new CorruptedFrameException("upstream sent unsupported FastCGI protocol version: " + version);
            }
            int type = in.getUnsignedByte(start + 1);
            int requestId = in.getUnsignedShort(start + 2);
            int length = in.getUnsignedShort(start + 4);
            int padding = in.getUnsignedByte(start + 6);
            if (in.readableBytes() < FastCgi.HEADER_LENGTH + length) {
                return;
            }
            in.skipBytes(FastCgi.HEADER_LENGTH);
            out.add(new FastCgiRecord(type, requestId, in.readRetainedSlice(length)));
            skip = padding;
        }
    }

    /** Bytes received but not yet part of an emitted record: a connection is clean for reuse only at 0. */
    public int pendingBytes() {
        return actualReadableBytes() + skip;
    }
}
