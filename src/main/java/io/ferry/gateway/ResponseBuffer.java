package io.ferry.gateway;

import io.ferry.http.Exchange;
import io.ferry.upstream.Errno;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * A buffered response body (nginx's proxy_buffering on): the upstream is read as fast as it sends,
 * into memory up to PREFIX_buffers and then the temporary file up to PREFIX_max_temp_file_size,
 * while the client gets it as fast as it takes it, PREFIX_busy_buffers_size at a time. Only when
 * both are full is the upstream left unread until the client catches up, so memory stays bounded
 * however large the response and however slow the client. A temporary file that cannot be written
 * (a full disk) does not end the response, as it ends nginx's: the rest passes through memory
 * alone, the upstream read no faster than the client takes it, as with max_temp_file_size 0.
 */
final class ResponseBuffer {

    private final Exchange ex;
    private final BufferSettings settings;
    /** In memory, older than anything in the file: data goes to memory only while the file has nothing unsent. */
    private final ArrayDeque<ByteBuf> memory = new ArrayDeque<>();
    private long memoryBytes;
    private TempFile file;
    /** Once the file failed: what came after the bytes it holds, counted in memoryBytes. */
    private final ArrayDeque<ByteBuf> afterFile = new ArrayDeque<>();
    private boolean fileFailed;
    private LastHttpContent last;
    private ChannelFutureListener done;
    private Runnable resume;
    /** What runs once everything buffered went out, when the upstream broke off before the end. */
    private Runnable cut;
    private boolean writing;
    private boolean released;

    ResponseBuffer(Exchange ex, BufferSettings settings) {
        this.ex = ex;
        this.settings = settings;
    }

    /** Body bytes from the upstream (ownership passes). */
    void add(ByteBuf data) {
        if (released || !data.isReadable()) {
            data.release();
            return;
        }
        int n = data.readableBytes();
        boolean fileBehind = file != null && file.unread() > 0;
        if (fileFailed) {
            afterFile.add(data);
            memoryBytes += n;
        } else if (fileBehind || memoryBytes + n > settings.memory() && settings.maxTempFile() > 0) {
            try {
                if (file == null) {
                    file = TempFile.create(settings.tempPath(), settings.tempWriteSize());
                    ex.errorLog().warn("*{} an upstream response is buffered to a temporary file {} while reading upstream",
                            ex.connection(), file.path());
                }
                file.append(data);
            } catch (IOException e) {
                fileFailed = true;
                ex.errorLog().error("*{} {} \"{}\" failed ({}) while reading upstream", ex.connection(),
                        file == null ? "open()" : "pwrite()", file == null ? settings.tempPath().dir() : file.path(),
                        Errno.describe(e));
                afterFile.add(data);
                memoryBytes += data.readableBytes();
            }
        } else {
            memory.add(data);
            memoryBytes += n;
        }
        drain();
    }

    /** Whether the upstream may be read further: memory or the file can take more. */
    boolean hasRoom() {
        if (fileFailed) {
            return memoryBytes < settings.memory();
        }
        if (file != null && file.unread() > 0) {
            return file.size() < settings.maxTempFile();
        }
        return memoryBytes < settings.memory() || settings.maxTempFile() > 0;
    }

    /** {@code read} runs once there is room again. */
    void whenRoom(Runnable read) {
        resume = read;
    }

    boolean waitingOnClient() {
        return resume != null;
    }

    /** The upstream sent all: {@code last} follows what is buffered, then {@code done} hears how it went. */
    void end(LastHttpContent last, ChannelFutureListener done) {
        this.last = last;
        this.done = done;
        resume = null;
        drain();
    }

    /**
     * The upstream broke off: what it did send still reaches the client, as nginx's, and
     * {@code then} runs once it went out (or the client is gone).
     */
    void cut(Runnable then) {
        if (released) {
            then.run();
            return;
        }
        cut = then;
        resume = null;
        drain();
    }

    /** Writes the next PREFIX_busy_buffers_size to the client once the previous write went out. */
    private void drain() {
        if (writing || released) {
            return;
        }
        ChannelFuture w = writeFrom(memory);
        if (w == null && file != null && file.unread() > 0) {
            try {
                ByteBuf b = file.read(ex.context().alloc(), (int) Math.min(Integer.MAX_VALUE, settings.busy()));
                w = ex.write(new DefaultHttpContent(b));
            } catch (IOException e) {
                failed(e);
                return;
            }
        }
        if (w == null) {
            w = writeFrom(afterFile);
        }
        if (w == null) {
            if (cut != null) {
                Runnable then = cut;
                release();
                then.run();
            } else if (last != null) {
                ChannelFutureListener listener = done;
                LastHttpContent end = last;
                last = null;
                release();
                ex.writeAndFlush(end).addListener(listener);
            }
            return;
        }
        writing = true;
        ex.flush();
        w.addListener((ChannelFutureListener) f -> {
            writing = false;
            if (!f.isSuccess()) {
                Runnable then = cut;
                release();
                if (then != null) {
                    then.run();
                }
                return;
            }
            Runnable r = resume;
            if (r != null && hasRoom()) {
                resume = null;
                r.run();
            }
            drain();
        });
    }

    /** Up to PREFIX_busy_buffers_size from {@code queue}; null when it is empty. */
    private ChannelFuture writeFrom(ArrayDeque<ByteBuf> queue) {
        long batch = 0;
        ChannelFuture w = null;
        while (batch < settings.busy() && !queue.isEmpty()) {
            ByteBuf b = queue.poll();
            memoryBytes -= b.readableBytes();
            batch += b.readableBytes();
            w = ex.write(new DefaultHttpContent(b));
        }
        return w;
    }

    private void failed(IOException e) {
        ex.errorLog().error("*{} temporary file for the upstream response failed: {}", ex.connection(), e.toString());
        release();
        ex.abort();
    }

    /** Lets go of everything held, the temporary file included. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        resume = null;
        cut = null;
        ByteBuf b;
        while ((b = memory.poll()) != null) {
            b.release();
        }
        while ((b = afterFile.poll()) != null) {
            b.release();
        }
        memoryBytes = 0;
        if (last != null) {
            last.release();
            last = null;
        }
        if (file != null) {
            file.close();
        }
    }
}
