package io.ferry.files;

import io.ferry.http.ErrorPages;
import io.ferry.http.Exchange;
import io.ferry.http.product.ProductModule;
import io.ferry.module.range.RangeModule;
import io.ferry.module.range.RangePlan;
import io.ferry.net.Pacer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedFile;
import io.netty.handler.stream.ChunkedInput;
import java.io.IOException;
import java.io.RandomAccessFile;

/**
 * The body of a file, or of a stored response in one (a cache entry), once its head went through
 * the header filters: the whole of it as a zero-copy region on plain connections and in pieces of
 * output_buffers' size under TLS or a body filter, or the parts the range filter chose. Several parts are read
 * a chunk at a time from the one open file (a region would close it after its own part): each
 * part's header, its bytes, and the closing boundary as the last content.
 */
public final class FileParts implements ChunkedInput<HttpContent> {
    private final RandomAccessFile file;
    private final long offset;
    private final RangePlan plan;
    private final int chunk;
    private int part;
    private boolean headerSent;
    private long sent;
    private long progress;
    private boolean ended;

    private FileParts(RandomAccessFile file, long offset, RangePlan plan, int chunk) {
        this.file = file;
        this.chunk = chunk;
        this.offset = offset;
        this.plan = plan;
    }

    /**
     * Writes {@code head} (prepared) and the {@code length} bytes at {@code offset} of {@code file},
     * or what the range filter made of them, then completes the exchange; the file is closed.
     */
    public static void send(Exchange ex, HttpResponse head, RandomAccessFile file, long offset, long length) {
        RangePlan plan = RangeModule.plan(ex);
        int chunk = FilesModule.of(ex.settings()).outputBufferSize();
        if (plan != null && plan.unsatisfiable()) {
            close(file);
            unsatisfiable(ex, head);
            return;
        }
        ex.write(head);
        ChannelFuture last;
        if (ex.isHead() || length == 0) {
            close(file);
            last = ex.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else if (plan != null && !(plan.parts().size() == 1 && ex.zeroCopy())) {
            last = ex.writeAndFlush(new FileParts(file, offset, plan, chunk));
        } else if (ex.zeroCopy()) {
            long start = plan == null ? offset : offset + plan.parts().get(0).start();
            ex.write(new Pacer.Region(file.getChannel(), start, plan == null ? length : plan.parts().get(0).length()));
            last = ex.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            try {
                last = ex.writeAndFlush(new HttpChunkedInput(new ChunkedFile(file, offset, length, chunk)));
            } catch (IOException e) {
                close(file);
                ex.abort();
                return;
            }
        }
        last.addListener((ChannelFutureListener) f -> ex.complete(f.isSuccess()));
    }

    /**
     * The range filter's 416 goes out as nginx's special response: its error page instead of the
     * body, without the body's validators.
     */
    private static void unsatisfiable(Exchange ex, HttpResponse head) {
        ByteBuf body = ErrorPages.body(ex.context().alloc(), head.status(), ProductModule.product(ex.settings()));
        head.headers().set("Content-Type", "text/html");
        head.headers().set("Content-Length", body.readableBytes());
        head.headers().remove("Last-Modified").remove("ETag").remove("Accept-Ranges");
        if (ex.isHead()) {
            body.release();
            body = Unpooled.EMPTY_BUFFER;
        }
        ex.write(head);
        ex.writeAndFlush(new DefaultLastHttpContent(body)).addListener((ChannelFutureListener) f -> ex.complete(f.isSuccess()));
    }

    private static void close(RandomAccessFile file) {
        try {
            file.close();
        } catch (IOException ignored) {
            // read-only: nothing was lost
        }
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
        int n = (int) Math.min(chunk, p.length() - sent);
        ByteBuf buf = alloc.heapBuffer(n);
        try {
            while (buf.writerIndex() < n) {
                int read = buf.writeBytes(file.getChannel(), offset + p.start() + sent + buf.writerIndex(), n - buf.writerIndex());
                if (read < 0) {
                    throw new IOException("file shrank while being sent");
                }
            }
        } catch (IOException e) {
            buf.release();
            throw e;
        }
        sent += n;
        progress += n;
        if (sent == p.length()) {
            part++;
            sent = 0;
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
