package io.ferry.module.charset;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * An 8-bit charset defined by a charset_map to utf-8, as a Java charset so its text can be recoded
 * like any other. ASCII maps to itself; a byte the map leaves out decodes to U+FFFD, and a
 * character it lacks cannot be encoded (the recoder writes it as an HTML entity, as nginx does).
 */
final class TableCharset extends Charset {
    private final char[] decode = new char[256];
    private final Map<Character, Byte> encode = new HashMap<>();

    private TableCharset(String name, byte[][] toUtf8) {
        super("x-ferry-map-" + name.replaceAll("[^A-Za-z0-9.:_-]", "_"), null);
        for (int b = 0; b < 256; b++) {
            char c = b < 0x80 ? (char) b : '\uFFFD';
            if (toUtf8[b] != null) {
                String s = new String(toUtf8[b], StandardCharsets.UTF_8);
                // a map entry outside the BMP has no single char: left unmapped
                c = s.length() == 1 ? s.charAt(0) : '\uFFFD';
            }
            decode[b] = c;
            if (c != '\uFFFD') {
                encode.put(c, (byte) b);
            }
        }
    }

    static TableCharset of(String name, byte[][] toUtf8) {
        return new TableCharset(name, toUtf8);
    }

    @Override
    public boolean contains(Charset cs) {
        return cs == this;
    }

    @Override
    public CharsetDecoder newDecoder() {
        return new CharsetDecoder(this, 1, 1) {
            @Override
            protected CoderResult decodeLoop(ByteBuffer in, CharBuffer out) {
                while (in.hasRemaining()) {
                    if (!out.hasRemaining()) {
                        return CoderResult.OVERFLOW;
                    }
                    out.put(decode[in.get() & 0xff]);
                }
                return CoderResult.UNDERFLOW;
            }
        };
    }

    @Override
    public CharsetEncoder newEncoder() {
        return new CharsetEncoder(this, 1, 1, new byte[] {'?'}) {
            @Override
            protected CoderResult encodeLoop(CharBuffer in, ByteBuffer out) {
                while (in.hasRemaining()) {
                    Byte b = encode.get(in.get(in.position()));
                    if (b == null) {
                        return CoderResult.unmappableForLength(1);
                    }
                    if (!out.hasRemaining()) {
                        return CoderResult.OVERFLOW;
                    }
                    in.get();
                    out.put(b);
                }
                return CoderResult.UNDERFLOW;
            }
        };
    }
}
