package io.ferry.module.gzip;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/** The gzip body filter on its own: a valid gzip stream, sync flushes that expose every byte so far, $gzip_ratio. */
class GzipEncoderTest {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final int HEADER = 10;

    @Test
    void roundTripOverManyChunksIsAValidGzipStream() throws IOException {
        byte[] input = new byte[300_000];
        Random random = new Random(11);
        for (int i = 0; i < input.length; i++) {
            // compressible but not trivial: letters with runs
            input[i] = (byte) ('a' + random.nextInt(6));
        }
        GzipEncoder encoder = new GzipEncoder(6);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int at = 0; at < input.length; at += 7_777) {
            int n = Math.min(7_777, input.length - at);
            drain(encoder.filter(Unpooled.wrappedBuffer(input, at, n), ALLOC), wire);
            if (at % 3 == 0) {
                drain(encoder.flush(ALLOC), wire);
            }
        }
        drain(encoder.finish(ALLOC), wire);

        assertThat(gunzip(wire.toByteArray())).isEqualTo(input);
    }

    @Test
    void emptyBodyIsStillAValidGzipStream() throws IOException {
        GzipEncoder encoder = new GzipEncoder(1);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        drain(encoder.filter(Unpooled.EMPTY_BUFFER, ALLOC), wire);
        drain(encoder.finish(ALLOC), wire);

        assertThat(gunzip(wire.toByteArray())).isEmpty();
    }

    @Test
    void eachFlushMakesEverythingSentSoFarDecompressible() throws DataFormatException {
        GzipEncoder encoder = new GzipEncoder(9);
        Inflater inflater = new Inflater(true);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        int consumed = HEADER;
        try {
            for (int i = 0; i < 5; i++) {
                String event = "data: event number " + i + " " + "x".repeat(i * 40) + "\n\n";
                drain(encoder.filter(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8), ALLOC), wire);
                drain(encoder.flush(ALLOC), wire);
                byte[] sent = wire.toByteArray();
                if (i == 0) {
                    assertThat(Arrays.copyOf(sent, 3)).containsExactly(0x1f, 0x8b, 8);
                }
                // a sync flush ends in an empty stored block: 00 00 ff ff
                assertThat(Arrays.copyOfRange(sent, sent.length - 4, sent.length))
                        .containsExactly(0, 0, 0xff, 0xff);
                inflater.setInput(sent, consumed, sent.length - consumed);
                consumed = sent.length;
                byte[] out = new byte[4096];
                int n = inflater.inflate(out);
                assertThat(new String(out, 0, n, StandardCharsets.UTF_8)).isEqualTo(event);
            }
        } finally {
            inflater.end();
            encoder.abandon();
        }
    }

    @Test
    void flushBeforeAnyBodyWritesNothing() {
        GzipEncoder encoder = new GzipEncoder(1);
        ByteBuf out = encoder.flush(ALLOC);
        try {
            assertThat(out.readableBytes()).isZero();
        } finally {
            out.release();
            encoder.abandon();
        }
    }

    @Test
    void ratioIsBytesInPerByteOutWithTwoDecimals() {
        GzipEncoder encoder = new GzipEncoder(1);
        assertThat(encoder.ratio()).as("nothing written yet").isNull();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        byte[] input = "A".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
        drain(encoder.filter(Unpooled.wrappedBuffer(input), ALLOC), wire);
        drain(encoder.finish(ALLOC), wire);

        String expected = String.format(java.util.Locale.ROOT, "%.2f", input.length / (double) wire.size());
        assertThat(encoder.ratio()).isEqualTo(expected).matches("\\d+\\.\\d\\d");
        assertThat(Double.parseDouble(encoder.ratio())).isGreaterThan(50);
    }

    private static void drain(ByteBuf buf, ByteArrayOutputStream to) {
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            to.writeBytes(bytes);
        } finally {
            buf.release();
        }
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }
}
