package io.ferry.cache;

import io.ferry.gateway.ResponseTee;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one entry: its header block, then the body as it passes to the client, into a temporary
 * file in the cache directory that is renamed into place only once the response arrived whole, so
 * a reader (or a start after a crash) never sees half an entry.
 */
final class CacheWriter implements ResponseTee {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    /** Names the loader deletes: what a crash left half written. */
    static final String TEMP_PREFIX = ".tmp-";
    /**
     * Names this run's temporary files apart from a crashed run's: the loader, running alongside the
     * first requests, must neither delete a file being written nor leave one that a new writer's name
     * would meet (a sequence alone starts again at 1 in each run, and a pid may be reused too).
     */
    private static final String RUN = "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".";
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final CacheZone zone;
    private final String hex;
    private final Path temp;
    private FileChannel out;
    private long size;

    private CacheWriter(CacheZone zone, String hex, Path temp, FileChannel out, long size) {
        this.zone = zone;
        this.hex = hex;
        this.temp = temp;
        this.out = out;
        this.size = size;
    }

    /** A writer with the header block written, or null when the directory cannot take the file. */
    static CacheWriter open(CacheZone zone, String hex, byte[] header) {
        Path temp = zone.dir().resolve(TEMP_PREFIX + hex + RUN + SEQUENCE.incrementAndGet());
        try {
            Files.createDirectories(zone.dir());
            FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            CacheWriter w = new CacheWriter(zone, hex, temp, out, 0);
            w.write(ByteBuffer.wrap(header));
            return w;
        } catch (IOException e) {
            LOG.error("cache \"{}\": cannot write {}: {}", zone.name(), temp, e.getMessage());
            deleteQuietly(temp);
            return null;
        }
    }

    /** A temporary file an earlier run left half written, which the loader deletes. */
    static boolean leftover(String name) {
        return name.startsWith(TEMP_PREFIX) && !name.contains(RUN);
    }

    @Override
    public void body(ByteBuf bytes) {
        if (out == null || !bytes.isReadable()) {
            return;
        }
        try {
            for (ByteBuffer b : bytes.nioBuffers(bytes.readerIndex(), bytes.readableBytes())) {
                write(b);
            }
        } catch (IOException e) {
            LOG.error("cache \"{}\": cannot write {}: {}", zone.name(), temp, e.getMessage());
            abort();
        }
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            size += out.write(b);
        }
    }

    @Override
    public void end() {
        if (out == null) {
            return;
        }
        Path target = zone.file(hex);
        try {
            out.close();
            out = null;
            Files.createDirectories(target.getParent());
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            zone.index().stored(hex, size, System.currentTimeMillis());
        } catch (IOException e) {
            LOG.error("cache \"{}\": cannot store {}: {}", zone.name(), target, e.getMessage());
            deleteQuietly(temp);
        }
    }

    @Override
    public void abort() {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException e) {
            // the file goes anyway
        }
        out = null;
        deleteQuietly(temp);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", p, e.getMessage());
        }
    }
}
