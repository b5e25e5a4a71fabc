package io.ferry.module.charset;

import io.ferry.http.hook.BodyFilter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Recodes between two 8-bit charsets by a charset_map table, in place: a byte stays a byte. */
final class TableRecoder implements BodyFilter {
    private final byte[] table = new byte[256];

    /** {@code map} is the charset_map as written; {@code inverse} reads it from its second charset to its first. */
    TableRecoder(byte[][] map, boolean inverse) {
        for (int i = 0; i < 256; i++) {
            table[i] = (byte) i;
        }
        for (int i = 0; i < 256; i++) {
            if (map[i] != null) {
                if (inverse) {
                    table[map[i][0] & 0xff] = (byte) i;
                } else {
                    table[i] = map[i][0];
                }
            }
        }
    }

    @Override
    public ByteBuf filter(ByteBuf in, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(in.readableBytes());
        while (in.isReadable()) {
            out.writeByte(table[in.readByte() & 0xff]);
        }
        in.release();
        return out;
    }

    @Override
    public ByteBuf flush(ByteBufAllocator alloc) {
        return alloc.buffer(0);
    }

    @Override
    public ByteBuf finish(ByteBufAllocator alloc) {
        return alloc.buffer(0);
    }

    @Override
    public void abandon() {
    }
}
