package io.ferry.log;

import io.ferry.upstream.Errno;
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
 * per line or per buffer flush, so concurrent event loops never interleave inside a line). A write
 * that fails (a full disk) loses its lines and nothing else: requests go on being served, and the
 * next write after space returned lands in the file again.
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
    /** The second the disk was last found full: lines of that second are dropped unwritten, as nginx drops them. */
    private long diskFullSecond;
    /** The second a failed write was last reported: nginx reports one a minute at most, so a full disk cannot flood the error log. */
    private long reportedSecond;

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
        long now = System.currentTimeMillis() / 1000;
        if (file == null || now == diskFullSecond) {
            return;
        }
        int length = bytes.remaining();
        try {
            while (bytes.hasRemaining()) {
                file.write(bytes);
            }
        } catch (IOException e) {
            String errno = Errno.describe(e);
            if (errno.startsWith(Errno.NO_SPACE)) {
                diskFullSecond = now;
            }
            if (now - reportedSecond > 59) {
                reportedSecond = now;
                int written = length - bytes.remaining();
                if (written > 0) {
                    LOG.error(ErrorLogs.ALERT, "write() to \"{}\" was incomplete: {} of {}", path, written, length);
                } else {
                    LOG.error(ErrorLogs.ALERT, "write() to \"{}\" failed ({})", path, errno);
                }
            }
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
