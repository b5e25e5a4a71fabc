package io.ferry.files;

import io.ferry.http.Exchange;
import io.ferry.module.range.RangePlan;
import io.ferry.net.Pacer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedInput;
import java.io.IOException;
import java.io.RandomAccessFile;

/**
 * The parts of a file the range filter chose, read a chunk at a time: each part's header, its
 * bytes, and the closing boundary as the last content. A single range on a plain connection goes
 * out as a file region instead; several share one open file, which a region would close after
 * its own part.
 */
final class FileParts implements ChunkedInput<HttpContent> {
    private final RandomAccessFile file;
    private final RangePlan plan;
    private int part;
    private boolean headerSent;
    private long offset;
    private long progress;
    private boolean ended;

    private FileParts(RandomAccessFile file, RangePlan plan) {
        this.file = file;
        this.plan = plan;
    }

    /** Writes the parts after the head; the future of the last write. */
    static ChannelFuture send(Exchange ex, RandomAccessFile file, RangePlan plan) {
        if (plan.parts().size() == 1 && ex.zeroCopy()) {
            RangePlan.Part p = plan.parts().get(0);
            ex.write(new Pacer.Region(file.getChannel(), p.start(), p.length()));
            return ex.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        return ex.writeAndFlush(new FileParts(file, plan));
    }

    @Override
    public boolean isEndOfInput() {
        return ended;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    @Deprecated
    @Override
    public HttpContent readChunk(ChannelHandlerContext ctx) throws IOException {
        return readChunk(ctx.alloc());
    }

    @Override
    public HttpContent readChunk(ByteBufAllocator alloc) throws IOException {
        if (ended) {
            return null;
        }
        if (part == plan.parts().size()) {
            ended = true;
            progress += plan.trailer().length;
            return new DefaultLastHttpContent(Unpooled.wrappedBuffer(plan.trailer()));
        }
        RangePlan.Part p = plan.parts().get(part);
        if (!headerSent) {
            headerSent = true;
            if (p.header().length > 0) {
                progress += p.header().length;
                return new DefaultHttpContent(Unpooled.wrappedBuffer(p.header()));
            }
        }
        int n = (int) Math.min(FileResponse.CHUNK, p.length() - offset);
        ByteBuf buf = alloc.heapBuffer(n);
        try {
            while (buf.writerIndex() < n) {
                int read = buf.writeBytes(file.getChannel(), p.start() + offset + buf.writerIndex(), n - buf.writerIndex());
                if (read < 0) {
                    throw new IOException("file shrank while being sent");
                }
            }
        } catch (IOException e) {
            buf.release();
            throw e;
        }
        offset += n;
        progress += n;
        if (offset == p.length()) {
            part++;
            offset = 0;
            headerSent = false;
        }
        return new DefaultHttpContent(buf);
    }

    @Override
    public long length() {
        return plan.contentLength();
    }

    @Override
    public long progress() {
        return progress;
    }
}
