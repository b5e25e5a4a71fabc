package io.ferry.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The temporary file behind a buffered response: appended to as the upstream sends, read from as
 * the client takes, emptied each time the client caught up so it holds only what is still unsent.
 * Named as nginx names them (ten digits, under PREFIX_temp_path's level directories) and deleted
 * when closed, which the exchange does however it ends.
 */
final class TempFile implements AutoCloseable {
    /** PREFIX_temp_path: the directory and the widths of the level directories taken from a name's end. */
    record Place(Path dir, int[] levels) {
    }

    private static final AtomicLong NEXT = new AtomicLong(ThreadLocalRandom.current().nextLong(1_000_000_000L));

    private final FileChannel channel;
    private final Path path;
    private final long writeSize;
    private long written;
    private long read;

    private TempFile(FileChannel channel, Path path, long writeSize) {
        this.channel = channel;
        this.path = path;
        this.writeSize = writeSize;
    }

    static TempFile create(Place place, long writeSize) throws IOException {
        while (true) {
            String name = String.format("%010d", NEXT.incrementAndGet() % 10_000_000_000L);
            Path dir = place.dir();
            int end = name.length();
            for (int width : place.levels()) {
                dir = dir.resolve(name.substring(end - width, end));
                end -= width;
            }
            Files.createDirectories(dir);
            Path path = dir.resolve(name);
            try {
                return new TempFile(FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE), path, writeSize);
            } catch (FileAlreadyExistsException e) {
                // another process's file of the same number: take the next one
            }
        }
    }

    /**
     * Appends all of {@code data}, at most PREFIX_temp_file_write_size per write, as nginx writes, and
     * releases it. A write that fails (a full disk) throws with the bytes not written still readable in
     * {@code data}, which stays the caller's.
     */
    void append(ByteBuf data) throws IOException {
        while (data.isReadable()) {
            int n = data.getBytes(data.readerIndex(), channel, written, (int) Math.min(writeSize, data.readableBytes()));
            written += n;
            data.skipBytes(n);
        }
        data.release();
    }

    /** Up to {@code max} unsent bytes; once all were read the file starts over empty. */
    ByteBuf read(ByteBufAllocator alloc, int max) throws IOException {
        int n = (int) Math.min(max, unread());
        ByteBuf buf = alloc.ioBuffer(n);
        try {
            while (buf.writableBytes() > 0 && buf.readableBytes() < n) {
                int got = buf.writeBytes(channel, read + buf.readableBytes(), n - buf.readableBytes());
                if (got < 0) {
                    throw new IOException("temporary file " + path + " ended early");
                }
            }
        } catch (IOException e) {
            buf.release();
            throw e;
        }
        read += n;
        if (read == written) {
            channel.truncate(0);
            read = 0;
            written = 0;
        }
        return buf;
    }

    long unread() {
        return written - read;
    }

    /** The file's size: what the client has yet to get, as it is emptied whenever that reaches 0. */
    long size() {
        return written;
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // its directory went away: nothing is left to delete
        }
    }
}
