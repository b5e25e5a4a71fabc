package io.ferry.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.ferry.gateway.CgiRequest.Pair;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FastCGI name-value pairs (specification section 3.4): each length in one byte below 128, else in
 * four bytes with the high bit set. Pairs are packed into PARAMS records without splitting a pair
 * across records (php-fpm parses each record on its own), and the stream ends with an empty record.
 */
public final class FastCgiParams {
    /** Largest pair that fits one record. */
    public static final int MAX_PAIR = FastCgi.MAX_CONTENT;

    private FastCgiParams() {
    }

    /** The encoded length of one pair. */
    public static int pairLength(byte[] name, byte[] value) {
        return lengthSize(name.length) + lengthSize(value.length) + name.length + value.length;
    }

    private static int lengthSize(int n) {
        return n < 128 ? 1 : 4;
    }

    public static void writePair(ByteBuf out, byte[] name, byte[] value) {
        writeLength(out, name.length);
        writeLength(out, value.length);
        out.writeBytes(name);
        out.writeBytes(value);
    }

    private static void writeLength(ByteBuf out, int n) {
        if (n < 128) {
            out.writeByte(n);
        } else {
            out.writeInt(n | 0x80000000);
        }
    }

    /**
     * PARAMS records for {@code params} followed by the empty PARAMS record.
     *
     * @throws IllegalArgumentException when one pair alone is larger than a record can carry
     */
    public static ByteBuf encode(ByteBufAllocator alloc, List<Pair> params) {
        CompositeByteBuf out = alloc.compositeBuffer();
        ByteBuf record = null;
        try {
            for (Pair p : params) {
                byte[] name = p.name().getBytes(StandardCharsets.ISO_8859_1);
                byte[] value = p.value();
                int len = pairLength(name, value);
                if (len > MAX_PAIR) {
                    throw new IllegalArgumentException("fastcgi request record is too big: " + len
                            + " bytes for \"" + p.name() + "\"");
                }
                if (record != null && record.readableBytes() + len > FastCgi.MAX_CONTENT) {
                    addRecord(alloc, out, record);
                    record = null;
                }
                if (record == null) {
                    record = alloc.buffer(Math.max(len, 1024));
                }
                writePair(record, name, value);
            }
            if (record != null) {
                addRecord(alloc, out, record);
                record = null;
            }
            out.addComponent(true, FastCgi.endOfStream(alloc, FastCgi.PARAMS));
            return out;
        } catch (RuntimeException e) {
            if (record != null) {
                record.release();
            }
            out.release();
            throw e;
        }
    }

    private static void addRecord(ByteBufAllocator alloc, CompositeByteBuf out, ByteBuf content) {
        int n = content.readableBytes();
        int pad = FastCgi.padding(n);
        ByteBuf header = alloc.buffer(FastCgi.HEADER_LENGTH);
        FastCgi.writeHeader(header, FastCgi.PARAMS, FastCgi.REQUEST_ID, n, pad);
        out.addComponent(true, header);
        out.addComponent(true, content);
        if (pad > 0) {
            out.addComponent(true, alloc.buffer(pad).writeZero(pad));
        }
    }

    /** Decodes the pairs of one record's content (for tests and diagnostics); duplicates keep the last value. */
    public static Map<String, String> decode(ByteBuf content) {
        Map<String, String> out = new LinkedHashMap<>();
        while (content.isReadable()) {
            int nameLength = readLength(content);
            int valueLength = readLength(content);
            String name = content.readCharSequence(nameLength, StandardCharsets.UTF_8).toString();
            String value = content.readCharSequence(valueLength, StandardCharsets.UTF_8).toString();
            out.put(name, value);
        }
        return out;
    }

    private static int readLength(ByteBuf in) {
        int b = in.getUnsignedByte(in.readerIndex());
        if (b < 128) {
            in.skipBytes(1);
            return b;
        }
        return in.readInt() & 0x7fffffff;
    }
}
