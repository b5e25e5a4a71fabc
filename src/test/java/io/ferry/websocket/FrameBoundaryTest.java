package io.ferry.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * FrameBoundary decides when a WebSocket tunnel may be ended during a graceful stop: it must say "between frames"
 * exactly after the last payload byte of each frame, whatever the length form, masking and the way TCP cut the
 * bytes into reads.
 */
class FrameBoundaryTest {

    /** A frame as RFC 6455 §5.2 lays it out, with the shortest length form for {@code payload} bytes. */
    static byte[] frame(int opcode, boolean masked, int payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80 | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload < 126) {
            out.write(maskBit | payload);
        } else if (payload <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write(payload >>> 8);
            out.write(payload);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload >>> shift));
            }
        }
        if (masked) {
            out.writeBytes(new byte[] {0x11, 0x22, 0x33, 0x44});
        }
        // Payload bytes that look like headers (0x81, 0xFF, 0x7E, 0x7F): only lengths may steer the tracker.
        byte[] looksLikeHeaders = {(byte) 0x81, (byte) 0xFF, 0x7E, 0x7F, (byte) 0x88, 0x02};
        for (int i = 0; i < payload; i++) {
            out.write(looksLikeHeaders[i % looksLikeHeaders.length]);
        }
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0} payload bytes, masked={1}")
    @CsvSource({
            "0, false", "0, true",
            "1, false", "5, true",
            "125, false", "125, true",       // the largest 7-bit length
            "126, false", "126, true",       // the smallest 16-bit length
            "65535, false", "65535, true",   // the largest 16-bit length
            "65536, false", "65536, true",   // the smallest 64-bit length
            "200000, true"})
    void aFrameEndsExactlyAfterItsLastPayloadByteWhenFedOneByteAtATime(int payload, boolean masked) {
        byte[] f = frame(0x2, masked, payload);
        FrameBoundary boundary = new FrameBoundary();
        assertThat(boundary.atBoundary()).isTrue();
        for (int i = 0; i < f.length; i++) {
            boundary.observe(Unpooled.wrappedBuffer(f, i, 1));
            assertThat(boundary.atBoundary()).as("after byte %d of %d", i + 1, f.length).isEqualTo(i == f.length - 1);
        }
    }

    /** Every split of the header (and of header from payload) across two reads, for each length form. */
    @ParameterizedTest(name = "{0} payload bytes, masked={1}")
    @CsvSource({"3, false", "3, true", "300, false", "300, true", "70000, false", "70000, true"})
    void headersSplitAcrossBuffersAtAnyPointAreFollowed(int payload, boolean masked) {
        byte[] f = frame(0x1, masked, payload);
        int headerLength = f.length - payload;
        for (int cut = 1; cut <= headerLength + 1; cut++) {
            FrameBoundary boundary = new FrameBoundary();
            boundary.observe(Unpooled.wrappedBuffer(f, 0, cut));
            assertThat(boundary.atBoundary()).as("cut after %d bytes", cut).isFalse();
            boundary.observe(Unpooled.wrappedBuffer(f, cut, f.length - cut));
            assertThat(boundary.atBoundary()).as("whole frame, cut after %d bytes", cut).isTrue();
        }
    }

    @Test
    void severalFramesInOneBufferAndAFrameSpreadOverManyAreCounted() {
        List<byte[]> frames = List.of(frame(0x1, true, 10), frame(0x9, true, 0), frame(0x2, true, 70_000),
                frame(0x1, false, 126), frame(0x8, false, 2));
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        List<Integer> ends = new ArrayList<>();
        for (byte[] f : frames) {
            all.writeBytes(f);
            ends.add(all.size());
        }
        byte[] bytes = all.toByteArray();

        FrameBoundary oneRead = new FrameBoundary();
        oneRead.observe(Unpooled.wrappedBuffer(bytes));
        assertThat(oneRead.atBoundary()).isTrue();

        // Reads of 4093 bytes (prime, so cuts land everywhere) end at a boundary only where a frame ended.
        FrameBoundary chunked = new FrameBoundary();
        for (int from = 0; from < bytes.length; from += 4093) {
            int to = Math.min(bytes.length, from + 4093);
            chunked.observe(Unpooled.wrappedBuffer(bytes, from, to - from));
            assertThat(chunked.atBoundary()).as("after byte %d", to).isEqualTo(ends.contains(to));
        }
        assertThat(chunked.atBoundary()).isTrue();
    }

    @Test
    void observingLeavesTheBufferAsItWas() {
        byte[] f = frame(0x2, true, 300);
        ByteBuf buf = Unpooled.wrappedBuffer(f);
        buf.readerIndex(2);
        FrameBoundary boundary = new FrameBoundary();
        boundary.observe(Unpooled.wrappedBuffer(f, 0, 2));
        boundary.observe(buf);
        assertThat(buf.readerIndex()).isEqualTo(2);
        assertThat(buf.writerIndex()).isEqualTo(f.length);
        assertThat(boundary.atBoundary()).isTrue();
    }

    @Test
    void onlyTheUnreadPartOfABufferCounts() {
        byte[] f = frame(0x2, false, 10);
        byte[] withConsumedPrefix = new byte[f.length + 3];
        System.arraycopy(f, 0, withConsumedPrefix, 3, f.length);
        withConsumedPrefix[0] = (byte) 0x82;
        withConsumedPrefix[1] = 0x7F; // would announce a 64-bit length if it were read
        ByteBuf buf = Unpooled.wrappedBuffer(withConsumedPrefix);
        buf.readerIndex(3);
        FrameBoundary boundary = new FrameBoundary();
        boundary.observe(buf);
        assertThat(boundary.atBoundary()).isTrue();
    }
}
