package io.ferry.log;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One access log file, shared by every access_log naming it. Lines are appended whole (one write
 * per line or per buffer flush, so concurrent event loops never interleave inside a line).
 */
final class AccessLogWriter {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    private final Path path;
    private final int bufferSize;
    /** gzip= level, 0 for plain text: each flushed buffer becomes one gzip member, as nginx writes them. */
    private final int gzip;
    private final StringBuilder buffer = new StringBuilder();
    private FileChannel file;
    private long lastFlush = System.nanoTime();

    AccessLogWriter(Path path, int bufferSize, int gzip) {
        this.path = path;
        this.bufferSize = bufferSize;
        this.gzip = gzip;
        open();
    }

    private void open() {
        try {
            Files.createDirectories(path.getParent());
            file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            file = null;
            LOG.error("open() \"{}\" failed ({})", path, e.getMessage());
        }
    }

    synchronized void write(String line) {
        buffer.append(line).append('\n');
        if (buffer.length() >= bufferSize) {
            flush();
        }
    }

    synchronized void flushIfOlder(long nanos) {
        if (buffer.length() > 0 && System.nanoTime() - lastFlush >= nanos) {
            flush();
        }
    }

    synchronized void flush() {
        lastFlush = System.nanoTime();
        if (buffer.length() == 0) {
            return;
        }
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(buffer.toString());
        buffer.setLength(0);
        if (gzip > 0) {
            bytes = compressed(bytes);
        }
        if (file == null) {
            return;
        }
        try {
            while (bytes.hasRemaining()) {
                file.write(bytes);
            }
        } catch (IOException e) {
            LOG.error("write() to \"{}\" failed ({})", path, e.getMessage());
        }
    }

    private ByteBuffer compressed(ByteBuffer plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.remaining() / 4 + 64);
        try (GZIPOutputStream member = new GZIPOutputStream(out) {
            {
                def.setLevel(gzip);
            }
        }) {
            member.write(plain.array(), plain.arrayOffset() + plain.position(), plain.remaining());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    /** After logrotate moved the file: flush to the old one, then open the path anew. */
    synchronized void reopen() {
        flush();
        closeFile();
        open();
    }

    synchronized void close() {
        flush();
        closeFile();
    }

    private void closeFile() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                LOG.error("close() \"{}\" failed ({})", path, e.getMessage());
            }
            file = null;
        }
    }
}
