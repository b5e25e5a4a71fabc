package io.ferry.module.gzip;

import io.ferry.http.hook.BodyFilter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The gzip body filter: a streaming deflate (the JDK's zlib) in the gzip format of RFC 1952. A flush
 * from the content source becomes a zlib sync flush, so everything sent so far can be decompressed
 * at once (server-sent events and other streams are never held back).
 */
final class GzipEncoder implements BodyFilter {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    private static final int OUT_CHUNK = 8192;

    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    private boolean headerSent;
    private boolean ended;
    private long in;
    private long out;

    GzipEncoder(int level) {
        deflater = new Deflater(level, true);
    }

    @Override
    public ByteBuf filter(ByteBuf input, ByteBufAllocator alloc) {
        try {
            int n = input.readableBytes();
            if (n == 0) {
                return alloc.buffer(0);
            }
            in += n;
            ByteBuffer nio = input.nioBufferCount() == 1 ? input.nioBuffer() : ByteBuffer.wrap(bytes(input));
            crc.update(nio.duplicate());
            deflater.setInput(nio);
            ByteBuf result = alloc.buffer(Math.min(n, OUT_CHUNK) + 16);
            header(result);
            while (!deflater.needsInput()) {
                drain(result, Deflater.NO_FLUSH);
            }
            return counted(result);
        } finally {
            input.release();
        }
    }

    @Override
    public ByteBuf flush(ByteBufAllocator alloc) {
        if (ended || !headerSent) {
            return alloc.buffer(0);
        }
        ByteBuf result = alloc.buffer(64);
        do {
            drain(result, Deflater.SYNC_FLUSH);
        } while (!result.isWritable());
        return counted(result);
    }

    @Override
    public ByteBuf finish(ByteBufAllocator alloc) {
        ByteBuf result = alloc.buffer(64);
        header(result);
        deflater.finish();
        while (!deflater.finished()) {
            drain(result, Deflater.NO_FLUSH);
        }
        result.writeIntLE((int) crc.getValue());
        result.writeIntLE((int) in);
        end();
        return counted(result);
    }

    @Override
    public void abandon() {
        end();
    }

    /** $gzip_ratio: bytes in per byte out, as nginx prints it. */
    String ratio() {
        return out == 0 ? null : String.format(Locale.ROOT, "%.2f", (double) in / out);
    }

    private void header(ByteBuf result) {
        if (!headerSent) {
            headerSent = true;
            result.writeBytes(HEADER);
        }
    }

    /** One deflate call into the free space of {@code result}, growing it first when full. */
    private void drain(ByteBuf result, int flush) {
        result.ensureWritable(OUT_CHUNK);
        ByteBuffer space = result.nioBuffer(result.writerIndex(), result.writableBytes());
        int before = space.position();
        deflater.deflate(space, flush);
        result.writerIndex(result.writerIndex() + space.position() - before);
    }

    private ByteBuf counted(ByteBuf result) {
        out += result.readableBytes();
        return result;
    }

    private void end() {
        if (!ended) {
            ended = true;
            deflater.end();
        }
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] copy = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), copy);
        return copy;
    }
}
