package io.ferry.module.gunzip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The gunzip body filter on its own: members split anywhere, header fields, flushes, and broken streams. */
class GunzipDecoderTest {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    private final List<String> errors = new ArrayList<>();
    private final GunzipDecoder decoder = new GunzipDecoder(errors::add);

    @Test
    void concatenatedMembersDecodeWhateverTheChunkSize() throws IOException {
        byte[] first = text(50_000, 1);
        byte[] second = text(30_000, 2);
        byte[] wire = concat(gzip(first), gzip(second), gzip(new byte[0]));
        for (int chunk : new int[] {1, 3, 10, 4096, wire.length}) {
            GunzipDecoder d = new GunzipDecoder(errors::add);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int at = 0; at < wire.length; at += chunk) {
                take(d, d.filter(Unpooled.wrappedBuffer(wire, at, Math.min(chunk, wire.length - at)), ALLOC), out);
            }
            drain(d.finish(ALLOC), out);
            assertThat(out.toByteArray()).as("chunks of %d", chunk).isEqualTo(concat(first, second));
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void optionalHeaderFieldsAreSkipped() {
        byte[] body = "with a name, a comment, extra bytes and a header CRC".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream member = new ByteArrayOutputStream();
        member.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3});
        member.writeBytes(new byte[] {3, 0, 'x', 'y', 'z'});
        member.writeBytes("name.txt\0".getBytes(StandardCharsets.US_ASCII));
        member.writeBytes("a comment\0".getBytes(StandardCharsets.US_ASCII));
        member.writeBytes(new byte[] {0x12, 0x34});
        byte[] plain = gzip(body);
        member.write(plain, 10, plain.length - 10);
        byte[] wire = member.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : wire) {
            take(decoder, decoder.filter(Unpooled.wrappedBuffer(new byte[] {b}), ALLOC), out);
        }
        drain(decoder.finish(ALLOC), out);
        assertThat(out.toByteArray()).isEqualTo(body);
    }

    @Test
    void aFlushNeedsNothingHeldBack() throws IOException {
        byte[] first = "the first event\n".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        GZIPOutputStream gz = new GZIPOutputStream(compressed, true);
        gz.write(first);
        gz.flush();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        take(decoder, decoder.filter(Unpooled.wrappedBuffer(compressed.toByteArray()), ALLOC), out);
        drain(decoder.flush(ALLOC), out);
        assertThat(out.toByteArray()).isEqualTo(first);
        compressed.reset();
        gz.write("the second\n".getBytes(StandardCharsets.US_ASCII));
        gz.close();
        take(decoder, decoder.filter(Unpooled.wrappedBuffer(compressed.toByteArray()), ALLOC), out);
        drain(decoder.finish(ALLOC), out);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("the first event\nthe second\n");
    }

    @Test
    void anEmptyBodyIsNoError() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        take(decoder, decoder.filter(Unpooled.buffer(0), ALLOC), out);
        drain(decoder.finish(ALLOC), out);
        assertThat(out.size()).isZero();
        assertThat(errors).isEmpty();
    }

    @Test
    void corruptDataFailsThatCallAndEveryLaterOne() {
        byte[] wire = gzip(text(20_000, 3));
        wire[wire.length / 2] ^= 0x55;
        wire[wire.length / 2 + 1] ^= 0x55;
        assertThatThrownBy(() -> {
            for (int at = 0; at < wire.length; at += 1000) {
                decoder.filter(Unpooled.wrappedBuffer(wire, at, Math.min(1000, wire.length - at)), ALLOC).release();
            }
            decoder.finish(ALLOC).release();
        }).isInstanceOf(DecoderException.class);
        ByteBuf later = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        assertThatThrownBy(() -> decoder.filter(later, ALLOC)).isInstanceOf(DecoderException.class);
        assertThat(later.refCnt()).isZero();
        assertThatThrownBy(() -> decoder.flush(ALLOC)).isInstanceOf(DecoderException.class);
        assertThatThrownBy(() -> decoder.finish(ALLOC)).isInstanceOf(DecoderException.class);
        assertThat(errors).hasSize(1).allMatch(e -> e.startsWith("gunzip failed: "));
    }

    @Test
    void notGzipAtAllIsAnError() throws IOException {
        ByteArrayOutputStream zlib = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(zlib, new Deflater())) {
            out.write(text(100, 4));
        }
        assertThatThrownBy(() -> decoder.filter(Unpooled.wrappedBuffer(zlib.toByteArray()), ALLOC))
                .isInstanceOf(DecoderException.class).hasMessageContaining("header");
        assertThat(errors).containsExactly("gunzip failed: incorrect gzip header check");
    }

    @Test
    void aWrongChecksumOrLengthIsAnError() {
        byte[] wire = gzip(text(1000, 5));
        wire[wire.length - 8] ^= 1;
        assertThatThrownBy(() -> decoder.filter(Unpooled.wrappedBuffer(wire), ALLOC))
                .hasMessageContaining("incorrect data check");
        byte[] other = gzip(text(1000, 5));
        other[other.length - 1] ^= 1;
        assertThatThrownBy(() -> new GunzipDecoder(errors::add).filter(Unpooled.wrappedBuffer(other), ALLOC))
                .hasMessageContaining("incorrect length check");
    }

    @Test
    void aBodyEndingInsideAMemberIsCutOffNotComplete() {
        byte[] wire = gzip(text(5000, 6));
        decoder.filter(Unpooled.wrappedBuffer(Arrays.copyOf(wire, wire.length - 4)), ALLOC).release();
        assertThatThrownBy(() -> decoder.finish(ALLOC)).hasMessageContaining("unexpected end");
        assertThat(errors).hasSize(1);
    }

    @Test
    void abandonFreesTheInflaterOnce() {
        decoder.filter(Unpooled.wrappedBuffer(Arrays.copyOf(gzip(text(100, 7)), 20)), ALLOC).release();
        decoder.abandon();
        decoder.abandon();
        assertThat(errors).isEmpty();
    }

    private static byte[] text(int n, long seed) {
        Random random = new Random(seed);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + random.nextInt(8));
        }
        return b;
    }

    static byte[] gzip(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** What one chunk gives: the first piece, then every piece the decoder still owes for it. */
    private static void take(GunzipDecoder d, ByteBuf first, ByteArrayOutputStream out) {
        drain(first, out);
        while (d.pending()) {
            drain(d.drain(ALLOC), out);
        }
    }

    @Test
    void aChunkThatInflatesFarBeyondItselfComesOutInBoundedPieces() throws IOException {
        byte[] zeros = new byte[10 * 1024 * 1024];
        byte[] wire = gzip(zeros);
        assertThat(wire.length).isLessThan(GunzipDecoder.PIECE);
        ByteBuf piece = decoder.filter(Unpooled.wrappedBuffer(wire), ALLOC);
        long total = 0;
        int pieces = 0;
        while (true) {
            assertThat(piece.readableBytes()).isLessThanOrEqualTo(GunzipDecoder.PIECE + 8192);
            total += piece.readableBytes();
            pieces++;
            piece.release();
            if (!decoder.pending()) {
                break;
            }
            piece = decoder.drain(ALLOC);
        }
        decoder.finish(ALLOC).release();
        assertThat(total).isEqualTo(zeros.length);
        assertThat(pieces).isGreaterThanOrEqualTo(zeros.length / (GunzipDecoder.PIECE + 8192));
        assertThat(errors).isEmpty();
    }

    private static void drain(ByteBuf buf, ByteArrayOutputStream out) {
        byte[] b = new byte[buf.readableBytes()];
        buf.readBytes(b);
        buf.release();
        out.writeBytes(b);
    }
}
