package io.ferry.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.gateway.CgiRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The FastCGI record layer: headers, padding, BEGIN_REQUEST, STDIN framing, and decoding across any split. */
class FastCgiRecordTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static byte[] bytes(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void beginRequestIsTheSpecificationsLayout() {
        assertThat(bytes(FastCgi.beginRequest(ALLOC, false))).containsExactly(
                1, 1, 0, 1, 0, 8, 0, 0,
                0, 1, 0, 0, 0, 0, 0, 0);
        assertThat(bytes(FastCgi.beginRequest(ALLOC, true))[10]).as("FCGI_KEEP_CONN").isEqualTo((byte) 1);
    }

    @Test
    void endOfStreamIsAnEmptyRecord() {
        assertThat(bytes(FastCgi.endOfStream(ALLOC, FastCgi.STDIN))).containsExactly(1, 5, 0, 1, 0, 0, 0, 0);
        assertThat(bytes(FastCgi.endOfStream(ALLOC, FastCgi.PARAMS))).containsExactly(1, 4, 0, 1, 0, 0, 0, 0);
    }

    @Test
    void paddingAlignsToEightBytes() {
        assertThat(FastCgi.padding(0)).isZero();
        assertThat(FastCgi.padding(1)).isEqualTo(7);
        assertThat(FastCgi.padding(8)).isZero();
        assertThat(FastCgi.padding(13)).isEqualTo(3);
        assertThat(FastCgi.padding(65535)).isEqualTo(1);
    }

    @Test
    void stdinSplitsIntoPaddedRecordsWithoutLosingAByte() {
        byte[] body = new byte[FastCgi.STDIN_CHUNK * 2 + 5];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        ByteBuf records = FastCgi.stdin(ALLOC, Unpooled.wrappedBuffer(body));
        List<FastCgiRecord> decoded = decode(bytes(records));
        assertThat(decoded).hasSize(3);
        assertThat(decoded).allSatisfy(r -> assertThat(r.type()).isEqualTo(FastCgi.STDIN));
        assertThat(decoded.get(0).content().readableBytes()).isEqualTo(FastCgi.STDIN_CHUNK);
        assertThat(decoded.get(2).content().readableBytes()).isEqualTo(5);
        byte[] joined = new byte[body.length];
        int at = 0;
        for (FastCgiRecord r : decoded) {
            int n = r.content().readableBytes();
            r.content().readBytes(joined, at, n);
            at += n;
            r.release();
        }
        assertThat(joined).isEqualTo(body);
    }

    @Test
    void stdinRecordHeaderCarriesLengthAndPadding() {
        byte[] out = bytes(FastCgi.stdin(ALLOC, Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII)));
        assertThat(out).hasSize(8 + 5 + 3);
        assertThat(out).startsWith(1, 5, 0, 1, 0, 5, 3, 0);
        assertThat(new String(out, 8, 5, StandardCharsets.US_ASCII)).isEqualTo("hello");
    }

    @Test
    void decoderReassemblesRecordsSplitAtEveryByte() {
        ByteBuf wire = Unpooled.buffer();
        record(wire, FastCgi.STDOUT, "Status: 200\r\n\r\nbody");
        record(wire, FastCgi.STDERR, "warning");
        record(wire, FastCgi.STDOUT, "");
        ByteBuf end = Unpooled.buffer();
        end.writeInt(7).writeByte(FastCgi.REQUEST_COMPLETE).writeZero(3);
        FastCgi.writeHeader(wire, FastCgi.END_REQUEST, 1, 8, 0);
        wire.writeBytes(end);
        end.release();
        byte[] all = bytes(wire);
        EmbeddedChannel ch = new EmbeddedChannel(new FastCgiDecoder());
        for (byte b : all) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        FastCgiRecord stdout = ch.readInbound();
        assertThat(stdout.type()).isEqualTo(FastCgi.STDOUT);
        assertThat(stdout.content().toString(StandardCharsets.US_ASCII)).isEqualTo("Status: 200\r\n\r\nbody");
        stdout.release();
        FastCgiRecord stderr = ch.readInbound();
        assertThat(stderr.type()).isEqualTo(FastCgi.STDERR);
        assertThat(stderr.content().toString(StandardCharsets.US_ASCII)).isEqualTo("warning");
        stderr.release();
        FastCgiRecord empty = ch.readInbound();
        assertThat(empty.content().readableBytes()).isZero();
        empty.release();
        FastCgiRecord done = ch.readInbound();
        assertThat(done.type()).isEqualTo(FastCgi.END_REQUEST);
        assertThat(done.appStatus()).isEqualTo(7);
        assertThat(done.protocolStatus()).isEqualTo(FastCgi.REQUEST_COMPLETE);
        done.release();
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void decoderRejectsAnotherProtocolVersion() {
        EmbeddedChannel ch = new EmbeddedChannel(new FastCgiDecoder());
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(DecoderException.class)
                .hasMessageContaining("unsupported FastCGI protocol version: 72");
        ch.finishAndReleaseAll();
    }

    @Test
    void shortNamesAndValuesUseOneLengthByteLongOnesFour() {
        ByteBuf out = Unpooled.buffer();
        FastCgiParams.writePair(out, "A".getBytes(StandardCharsets.US_ASCII), "xyz".getBytes(StandardCharsets.US_ASCII));
        assertThat(bytes(out)).containsExactly(1, 3, 'A', 'x', 'y', 'z');

        byte[] longValue = "v".repeat(200).getBytes(StandardCharsets.US_ASCII);
        ByteBuf out2 = Unpooled.buffer();
        FastCgiParams.writePair(out2, "NAME".getBytes(StandardCharsets.US_ASCII), longValue);
        byte[] b = bytes(out2);
        assertThat(b).startsWith(4, 0x80, 0, 0, 200, 'N', 'A', 'M', 'E');
        assertThat(b).hasSize(1 + 4 + 4 + 200);

        byte[] name127 = "n".repeat(127).getBytes(StandardCharsets.US_ASCII);
        byte[] name128 = "n".repeat(128).getBytes(StandardCharsets.US_ASCII);
        assertThat(FastCgiParams.pairLength(name127, new byte[0])).isEqualTo(1 + 1 + 127);
        assertThat(FastCgiParams.pairLength(name128, new byte[0])).isEqualTo(4 + 1 + 128);
    }

    @Test
    void paramsRoundTripAndEndWithAnEmptyRecord() {
        List<CgiRequest.Pair> params = List.of(
                CgiRequest.Pair.utf8("SCRIPT_FILENAME", "/srv/www/index.php"),
                CgiRequest.Pair.utf8("QUERY_STRING", ""),
                CgiRequest.Pair.utf8("PATH", "/café"),
                CgiRequest.Pair.latin1("HTTP_X_LONG", "y".repeat(1000)));
        List<FastCgiRecord> records = decode(bytes(FastCgiParams.encode(ALLOC, params)));
        assertThat(records).hasSize(2);
        assertThat(records.get(1).content().readableBytes()).as("end of PARAMS").isZero();
        Map<String, String> decoded = FastCgiParams.decode(records.get(0).content());
        assertThat(decoded).containsExactly(Map.entry("SCRIPT_FILENAME", "/srv/www/index.php"), Map.entry("QUERY_STRING", ""),
                Map.entry("PATH", "/café"), Map.entry("HTTP_X_LONG", "y".repeat(1000)));
        records.forEach(FastCgiRecord::release);
    }

    @Test
    void paramsBeyondOneRecordAreSplitBetweenPairsNeverInsideOne() {
        List<CgiRequest.Pair> params = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            params.add(CgiRequest.Pair.latin1("HTTP_X_" + i, Character.toString('a' + i).repeat(10_000)));
        }
        List<FastCgiRecord> records = decode(bytes(FastCgiParams.encode(ALLOC, params)));
        assertThat(records).hasSizeGreaterThan(2);
        int pairs = 0;
        for (FastCgiRecord r : records) {
            assertThat(r.type()).isEqualTo(FastCgi.PARAMS);
            assertThat(r.content().readableBytes()).isLessThanOrEqualTo(FastCgi.MAX_CONTENT);
            Map<String, String> decoded = FastCgiParams.decode(r.content());
            for (Map.Entry<String, String> e : decoded.entrySet()) {
                int i = Integer.parseInt(e.getKey().substring("HTTP_X_".length()));
                assertThat(e.getValue()).isEqualTo(Character.toString('a' + i).repeat(10_000));
            }
            pairs += decoded.size();
            r.release();
        }
        assertThat(pairs).isEqualTo(10);
    }

    @Test
    void aPairLargerThanARecordIsRefused() {
        List<CgiRequest.Pair> params = List.of(CgiRequest.Pair.latin1("HTTP_COOKIE", "c".repeat(70_000)));
        assertThatThrownBy(() -> FastCgiParams.encode(ALLOC, params))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fastcgi request record is too big");
    }

    private static void record(ByteBuf out, int type, String content) {
        byte[] c = content.getBytes(StandardCharsets.US_ASCII);
        int pad = FastCgi.padding(c.length);
        FastCgi.writeHeader(out, type, 1, c.length, pad);
        out.writeBytes(c);
        out.writeZero(pad);
    }

    private static List<FastCgiRecord> decode(byte[] wire) {
        EmbeddedChannel ch = new EmbeddedChannel(new FastCgiDecoder());
        ch.writeInbound(Unpooled.wrappedBuffer(wire));
        List<FastCgiRecord> out = new ArrayList<>();
        FastCgiRecord r;
        while ((r = ch.readInbound()) != null) {
            out.add(r);
        }
        ch.finish();
        return out;
    }
}
