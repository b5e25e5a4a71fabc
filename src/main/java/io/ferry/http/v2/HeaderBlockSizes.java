package io.ferry.http.v2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;

/**
 * The size of each stream's header block as it came in (its HEADERS and CONTINUATION payloads), which
 * nginx counts in $request_length and Netty's decoded frames no longer carry. It reads the frame
 * headers of the bytes on their way to the codec, consuming nothing.
 */
final class HeaderBlockSizes extends ChannelInboundHandlerAdapter {
    private static final int PREFACE = 24;
    private static final int FRAME_HEADER = 9;
    private static final byte HEADERS = 0x1;
    private static final byte CONTINUATION = 0x9;
    /** Blocks of streams the codec refused are never taken: beyond this many the oldest are let go. */
    private static final int KEPT = 256;

    private final byte[] header = new byte[FRAME_HEADER];
    private final ArrayDeque<long[]> blocks = new ArrayDeque<>();
    private int prefaceLeft = PREFACE;
    private int headerFill;
    private int payloadLeft;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            scan(bytes, bytes.readerIndex(), bytes.writerIndex());
        }
        ctx.fireChannelRead(msg);
    }

    private void scan(ByteBuf bytes, int from, int to) {
        int i = from;
        while (i < to) {
            if (prefaceLeft > 0 || payloadLeft > 0) {
                int skip = Math.min(prefaceLeft > 0 ? prefaceLeft : payloadLeft, to - i);
                if (prefaceLeft > 0) {
                    prefaceLeft -= skip;
                } else {
                    payloadLeft -= skip;
                }
                i += skip;
                continue;
            }
            header[headerFill++] = bytes.getByte(i++);
            if (headerFill == FRAME_HEADER) {
                headerFill = 0;
                payloadLeft = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
                int stream = (header[5] & 0x7f) << 24 | (header[6] & 0xff) << 16 | (header[7] & 0xff) << 8 | header[8] & 0xff;
                if ((header[3] == HEADERS || header[3] == CONTINUATION) && stream != 0) {
                    count(stream, payloadLeft);
                }
            }
        }
    }

    private void count(int stream, int size) {
        long[] last = blocks.peekLast();
        if (last != null && last[0] == stream) {
            last[1] += size;
            return;
        }
        if (blocks.size() == KEPT) {
            blocks.pollFirst();
        }
        blocks.addLast(new long[] {stream, size});
    }

    /** The header bytes of {@code stream}, counted once; earlier streams' are dropped (client stream ids only grow). */
    long take(int stream) {
        long[] first;
        while ((first = blocks.peekFirst()) != null && first[0] <= stream) {
            blocks.pollFirst();
            if (first[0] == stream) {
                return first[1];
            }
        }
        return 0;
    }
}
