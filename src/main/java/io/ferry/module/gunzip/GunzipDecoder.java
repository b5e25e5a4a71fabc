package io.ferry.module.gunzip;

import io.ferry.http.hook.BodyFilter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.DecoderException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The gunzip body filter: RFC 1952 members, one after another as zlib reads them, each a header
 * parsed here, a raw deflate stream for the JDK's Inflater, and a trailer whose CRC-32 and length
 * are checked. A chunk's output goes out in pieces of about {@link #PIECE} bytes: the rest of the
 * chunk is kept ({@link #pending()}) until the chain asks for the next piece, so a body compressed a
 * thousandfold never sits inflated in memory. Between chunks nothing is held but the inflater's
 * window and a few header bytes, and a flush needs no work.
 * A stream that is not gzip, or ends inside a member, fails every later call: the response is cut
 * off (the connection closes without the body's end) rather than passed on as complete.
 */
final class GunzipDecoder implements BodyFilter {
    private static final int OUT_CHUNK = 8192;
    static final int PIECE = 64 * 1024;
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED = 0xe0;

    private enum State { HEADER, EXTRA_LENGTH, EXTRA, NAME, COMMENT, HEADER_CRC, DATA, TRAILER }

    /** Where a broken stream is reported: the error log, with the request it cut off. */
    private final Consumer<String> errorLog;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    /** The fixed-size part being read (header, extra length, trailer) and how much of it is in. */
    private final byte[] fixed = new byte[10];
    private int have;
    private State state = State.HEADER;
    private int flags;
    private int skip;
    private long size;
    private String failure;
    private boolean ended;
    /** The part of a chunk whose output is still to come. */
    private ByteBuf held;
    /** zlib may hold inflated bytes the last piece had no room for, even with no input left. */
    private boolean more;

    GunzipDecoder(Consumer<String> errorLog) {
        this.errorLog = errorLog;
    }

    @Override
    public ByteBuf filter(ByteBuf in, ByteBufAllocator alloc) {
        try {
            failed();
        } catch (DecoderException e) {
            in.release();
            throw e;
        }
        held = in;
        return drain(alloc);
    }

    @Override
    public boolean pending() {
        return held != null;
    }

    @Override
    public ByteBuf drain(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(Math.min(held.readableBytes() * 4, OUT_CHUNK));
        try {
            while ((held.isReadable() || more) && out.readableBytes() < PIECE) {
                step(held, out);
            }
        } catch (DataFormatException | RuntimeException e) {
            out.release();
            releaseHeld();
            throw fail(e.getMessage());
        }
        if (!held.isReadable() && !more) {
            releaseHeld();
        }
        return out;
    }

    private void releaseHeld() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    @Override
    public ByteBuf flush(ByteBufAllocator alloc) {
        failed();
        return alloc.buffer(0);
    }

    /** The body may end only between members (or before the first: an empty body). */
    @Override
    public ByteBuf finish(ByteBufAllocator alloc) {
        failed();
        if (state != State.HEADER || have != 0) {
            throw fail("unexpected end of gzip stream");
        }
        end();
        return alloc.buffer(0);
    }

    @Override
    public void abandon() {
        releaseHeld();
        end();
    }

    private void step(ByteBuf in, ByteBuf out) throws DataFormatException {
        switch (state) {
            case HEADER -> {
                if (collect(in, 10)) {
                    header();
                }
            }
            case EXTRA_LENGTH -> {
                if (collect(in, 2)) {
                    skip = fixed[0] & 0xff | (fixed[1] & 0xff) << 8;
                    state = State.EXTRA;
                }
            }
            case EXTRA -> {
                int n = Math.min(skip, in.readableBytes());
                in.skipBytes(n);
                skip -= n;
                if (skip == 0) {
                    afterExtra();
                }
            }
            case NAME, COMMENT -> {
                int zero = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0);
                if (zero < 0) {
                    in.skipBytes(in.readableBytes());
                } else {
                    in.readerIndex(zero + 1);
                    if (state == State.NAME) {
                        afterName();
                    } else {
                        afterComment();
                    }
                }
            }
            case HEADER_CRC -> {
                if (collect(in, 2)) {
                    state = State.DATA;
                }
            }
            case DATA -> inflate(in, out);
            case TRAILER -> {
                if (collect(in, 8)) {
                    trailer();
                }
            }
        }
    }

    /** Gathers {@code n} bytes into {@link #fixed} across chunks; true once all are in (then reset). */
    private boolean collect(ByteBuf in, int n) {
        int take = Math.min(n - have, in.readableBytes());
        in.readBytes(fixed, have, take);
        have += take;
        if (have < n) {
            return false;
        }
        have = 0;
        return true;
    }

    private void header() {
        if (fixed[0] != 0x1f || fixed[1] != (byte) 0x8b) {
            throw new IllegalStateException("incorrect gzip header check");
        }
        if (fixed[2] != 8) {
            throw new IllegalStateException("unknown compression method");
        }
        flags = fixed[3] & 0xff;
        if ((flags & RESERVED) != 0) {
            throw new IllegalStateException("unknown header flags set");
        }
        if ((flags & FEXTRA) != 0) {
            state = State.EXTRA_LENGTH;
        } else {
            afterExtra();
        }
    }

    private void afterExtra() {
        if ((flags & FNAME) != 0) {
            state = State.NAME;
        } else {
            afterName();
        }
    }

    private void afterName() {
        if ((flags & FCOMMENT) != 0) {
            state = State.COMMENT;
        } else {
            afterComment();
        }
    }

    private void afterComment() {
        state = (flags & FHCRC) != 0 ? State.HEADER_CRC : State.DATA;
    }

    /** Inflates what {@code in} holds of the member's deflate stream, up to its end. */
    private void inflate(ByteBuf in, ByteBuf out) throws DataFormatException {
        ByteBuffer src = in.nioBuffer();
        int start = src.position();
        inflater.setInput(src);
        // A full output buffer may leave inflated bytes inside zlib with no input left, so the
        // loop ends on a short read, not on needsInput alone.
        more = false;
        while (!inflater.finished()) {
            if (out.readableBytes() >= PIECE) {
                more = true;
                break;
            }
            out.ensureWritable(OUT_CHUNK);
            int room = Math.min(out.writableBytes(), OUT_CHUNK);
            ByteBuffer space = out.nioBuffer(out.writerIndex(), room);
            int n = inflater.inflate(space);
            if (n == 0 && inflater.needsDictionary()) {
                throw new DataFormatException("need dictionary");
            }
            crc.update(out.nioBuffer(out.writerIndex(), n));
            out.writerIndex(out.writerIndex() + n);
            size += n;
            if (n < room && inflater.needsInput()) {
                break;
            }
        }
        in.skipBytes(src.position() - start);
        if (inflater.finished()) {
            inflater.reset();
            state = State.TRAILER;
        }
    }

    private void trailer() {
        long expectedCrc = (fixed[0] & 0xffL) | (fixed[1] & 0xffL) << 8 | (fixed[2] & 0xffL) << 16 | (fixed[3] & 0xffL) << 24;
        long expectedSize = (fixed[4] & 0xffL) | (fixed[5] & 0xffL) << 8 | (fixed[6] & 0xffL) << 16 | (fixed[7] & 0xffL) << 24;
        if (expectedCrc != crc.getValue()) {
            throw new IllegalStateException("incorrect data check");
        }
        if (expectedSize != (size & 0xffffffffL)) {
            throw new IllegalStateException("incorrect length check");
        }
        crc.reset();
        size = 0;
        state = State.HEADER;
    }

    /** Once broken, every call fails so the response's end is never written. */
    private void failed() {
        if (failure != null) {
            throw new DecoderException(failure);
        }
    }

    private DecoderException fail(String reason) {
        failure = "gunzip failed: " + reason;
        errorLog.accept(failure);
        end();
        return new DecoderException(failure);
    }

    private void end() {
        if (!ended) {
            ended = true;
            inflater.end();
        }
    }
}
