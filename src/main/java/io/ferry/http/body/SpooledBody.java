package io.ferry.http.body;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request body as Ferry keeps it. Read whole ({@link #buffered}, nginx's request buffering):
 * memory up to client_body_buffer_size, then all of it in a temporary file, so memory stays bounded
 * whatever the length and every attempt on a peer can send it again. Streamed ({@link #kept}): a
 * copy of what went by while it fits in client_body_buffer_size, for a retry and $request_body.
 */
public final class SpooledBody {
    private static final int READ_CHUNK = 64 * 1024;
    /** nginx names temporary files with a counter; clashes with files left behind move it on. */
    private static final AtomicLong NEXT = new AtomicLong(System.nanoTime() % 1_000_000_000L);

    private final BodySettings settings;
    private final boolean spill;
    private final List<ByteBuf> memory = new ArrayList<>();
    private long size;
    private boolean complete;
    private boolean overflowed;
    private Path file;
    private FileChannel out;

    private SpooledBody(BodySettings settings, boolean spill) {
        this.settings = settings;
        this.spill = spill;
    }

    public static SpooledBody buffered(BodySettings settings) {
        return new SpooledBody(settings, true);
    }

    public static SpooledBody kept(BodySettings settings) {
        return new SpooledBody(settings, false);
    }

    /** Whether the whole body is here (read whole before the handler went on). */
    public boolean buffered() {
        return spill;
    }

    /** Takes {@code data} (ownership passes); a buffered body moves to its file once memory is full. */
    public void add(ByteBuf data) throws IOException {
        int n = data.readableBytes();
        size += n;
        if (overflowed || n == 0) {
            data.release();
            return;
        }
        if (out == null && size <= settings.bufferSize() && settings.inFileOnly() == BodySettings.InFileOnly.OFF) {
            memory.add(data);
            return;
        }
        if (!spill) {
            overflowed = true;
            data.release();
            releaseMemory();
            return;
        }
        try {
            if (out == null) {
                openFile();
                for (ByteBuf m : memory) {
                    write(m);
                }
                releaseMemory();
            }
            write(data);
        } finally {
            data.release();
        }
    }

    /** The last byte arrived; client_body_in_single_buffer joins what memory holds into one buffer, as nginx reads it. */
    public void end() throws IOException {
        complete = true;
        if (out == null && settings.inFileOnly() != BodySettings.InFileOnly.OFF && spill) {
            openFile();
        }
        if (out != null) {
            out.force(false);
        }
        if (settings.singleBuffer() && memory.size() > 1) {
            ByteBuf one = Unpooled.buffer((int) size);
            memory.forEach(one::writeBytes);
            releaseMemory();
            memory.add(one);
        }
    }

    public boolean complete() {
        return complete;
    }

    public long size() {
        return size;
    }

    /** All of the body is here: every attempt can send it from its start, and its length is known. */
    public boolean whole() {
        return complete && !overflowed;
    }

    /** A retry can send the body again: it is all here, or the copy so far still fits. */
    public boolean replayable() {
        return !overflowed;
    }

    /** The temporary file holding the body, or null while it is in memory. */
    public Path file() {
        return file;
    }

    /** $request_body: the body when it is whole in memory, else null (nginx leaves it empty for a file). */
    public String text() {
        if (!complete || overflowed || file != null || size == 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder((int) size);
        for (ByteBuf m : memory) {
            sb.append(m.toString(StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /** The body from its first byte, as one sender reads it. */
    public Reader reader() {
        return new Reader();
    }

    /** Frees the memory and deletes the file, except one client_body_in_file_only on keeps. */
    public void release() {
        releaseMemory();
        if (out != null) {
            try {
                out.close();
                if (settings.inFileOnly() != BodySettings.InFileOnly.ON) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                // a file we cannot delete is left as nginx leaves one; nothing else holds it
            }
            out = null;
        }
    }

    private void releaseMemory() {
        memory.forEach(ByteBuf::release);
        memory.clear();
    }

    private void openFile() throws IOException {
        while (true) {
            String name = String.format("%010d", NEXT.incrementAndGet() % 10_000_000_000L);
            Path dir = settings.tempPath();
            int end = name.length();
            for (int level : settings.levels()) {
                dir = dir.resolve(name.substring(end - level, end));
                end -= level;
            }
            Files.createDirectories(dir);
            Path candidate = dir.resolve(name);
            try {
                out = FileChannel.open(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        StandardOpenOption.READ);
                file = candidate;
                return;
            } catch (FileAlreadyExistsException e) {
                // taken by a file kept from an earlier body: the next number
            }
        }
    }

    private void write(ByteBuf data) throws IOException {
        ByteBuffer[] parts = data.nioBuffers();
        for (ByteBuffer p : parts) {
            while (p.hasRemaining()) {
                out.write(p);
            }
        }
    }

    /** Hands out the body in order: the memory buffers, then the file in 64 KiB pieces, the last as the end. */
    public final class Reader {
        private int index;
        private long offset;
        private boolean done;

        /** The next piece, or null once the end was handed out; a file that cannot be read throws. */
        public HttpContent next(ByteBufAllocator alloc) {
            if (done) {
                return null;
            }
            if (index < memory.size()) {
                ByteBuf m = memory.get(index++);
                boolean last = complete && index == memory.size() && out == null;
                done = last;
                return last ? new DefaultLastHttpContent(m.retainedDuplicate()) : new DefaultHttpContent(m.retainedDuplicate());
            }
            if (out != null && offset < size) {
                int n = (int) Math.min(READ_CHUNK, size - offset);
                ByteBuf buf = alloc.buffer(n);
                try {
                    while (buf.writableBytes() > 0) {
                        int r = buf.writeBytes(out, offset + buf.readableBytes(), buf.writableBytes());
                        if (r < 0) {
                            throw new IOException("temporary file " + file + " is shorter than the body");
                        }
                    }
                } catch (IOException e) {
                    buf.release();
                    throw new UncheckedIOException(e);
                }
                offset += n;
                done = offset == size;
                return done ? new DefaultLastHttpContent(buf) : new DefaultHttpContent(buf);
            }
            if (complete) {
                done = true;
                return LastHttpContent.EMPTY_LAST_CONTENT;
            }
            return null;
        }
    }
}
