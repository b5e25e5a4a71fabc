package io.ferry.module.charset;

import io.ferry.http.hook.BodyFilter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Recodes a body between any two charsets Java can decode and encode, chunk by chunk: a character
 * split between chunks waits for its rest. Malformed input becomes U+FFFD; a character the target
 * lacks is written as an HTML entity ({@code &#1081;}), as nginx does from utf-8.
 */
final class JavaRecoder implements BodyFilter {
    private final CharsetDecoder decoder;
    private final CharsetEncoder encoder;
    /** Bytes of a character the last chunk ended inside. */
    private byte[] held = new byte[0];

    JavaRecoder(Charset from, Charset to) {
        decoder = from.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        encoder = to.newEncoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    @Override
    public ByteBuf filter(ByteBuf in, ByteBufAllocator alloc) {
        byte[] bytes = new byte[held.length + in.readableBytes()];
        System.arraycopy(held, 0, bytes, 0, held.length);
        in.readBytes(bytes, held.length, in.readableBytes());
        in.release();
        return recode(ByteBuffer.wrap(bytes), false, alloc);
    }

    @Override
    public ByteBuf flush(ByteBufAllocator alloc) {
        return alloc.buffer(0);
    }

    @Override
    public ByteBuf finish(ByteBufAllocator alloc) {
        return recode(ByteBuffer.wrap(held), true, alloc);
    }

    @Override
    public void abandon() {
        held = new byte[0];
    }

    private ByteBuf recode(ByteBuffer in, boolean last, ByteBufAllocator alloc) {
        CharBuffer chars = CharBuffer.allocate(in.remaining() * 2 + 2);
        decoder.decode(in, chars, last);
        if (last) {
            decoder.flush(chars);
        }
        held = new byte[in.remaining()];
        in.get(held);
        chars.flip();
        ByteBuf out = alloc.buffer((int) (chars.remaining() * encoder.averageBytesPerChar()) + 16);
        ByteBuffer piece = ByteBuffer.allocate(Math.max(16, chars.remaining() * (int) Math.ceil(encoder.maxBytesPerChar())));
        while (true) {
            CoderResult r = encoder.encode(chars, piece, last);
            piece.flip();
            out.writeBytes(piece);
            piece.clear();
            if (r.isUnmappable() || r.isMalformed()) {
                int cp = Character.codePointAt(chars, 0);
                chars.position(chars.position() + r.length());
                out.writeBytes(("&#" + cp + ";").getBytes(StandardCharsets.US_ASCII));
            } else if (r.isUnderflow()) {
                break;
            }
        }
        if (last) {
            encoder.flush(piece);
            piece.flip();
            out.writeBytes(piece);
        }
        return out;
    }
}
