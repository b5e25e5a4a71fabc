package io.ferry.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TlvVariableTest {
    private static final byte[] SSL = bytes(0x01, 0, 0, 0, 7,  // client, verify = 7
            0x21, 0, 7, 'T', 'L', 'S', 'v', '1', '.', '3',
            0x22, 0, 4, 'u', 's', 'e', 'r');
    private static final ProxyHeader HEADER = new ProxyHeader("192.0.2.1", 123, "192.0.2.2", 5678, List.of(
            new ProxyHeader.Tlv(0x01, "h2".getBytes(StandardCharsets.ISO_8859_1)),
            new ProxyHeader.Tlv(0x01, "http/1.1".getBytes(StandardCharsets.ISO_8859_1)),
            new ProxyHeader.Tlv(0x05, "id-1".getBytes(StandardCharsets.ISO_8859_1)),
            new ProxyHeader.Tlv(0xe0, "custom".getBytes(StandardCharsets.ISO_8859_1)),
            new ProxyHeader.Tlv(0x20, SSL)));

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static String tlv(String name) {
        return TlvVariable.of(name).apply(HEADER);
    }

    @Test
    void namesAndHexNumbersFindTheFirstTlvOfTheirType() {
        assertThat(tlv("alpn")).isEqualTo("h2");
        assertThat(tlv("0x01")).isEqualTo("h2");
        assertThat(tlv("0x1")).isEqualTo("h2");
        assertThat(tlv("unique_id")).isEqualTo("id-1");
        assertThat(tlv("0xE0")).isEqualTo("custom");
        assertThat(tlv("ALPN")).isEqualTo("h2");
        assertThat(tlv("authority")).isNull();
    }

    @Test
    void sslNamesReadTheSubTlvsAndTheVerifyWord() {
        assertThat(tlv("ssl_version")).isEqualTo("TLSv1.3");
        assertThat(tlv("ssl_cn")).isEqualTo("user");
        assertThat(tlv("ssl_0x22")).isEqualTo("user");
        assertThat(tlv("ssl_cipher")).isNull();
        assertThat(tlv("ssl_verify")).isEqualTo("7");
        assertThat(tlv("ssl").getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(SSL);
    }

    @Test
    void unknownNamesAreNeverFound() {
        assertThat(tlv("nope")).isNull();
        assertThat(tlv("0x")).isNull();
        assertThat(tlv("0xzz")).isNull();
        assertThat(tlv("ssl_nope")).isNull();
        assertThat(TlvVariable.type("0x", java.util.Map.of())).isEqualTo(-1);
    }

    @Test
    void aDecodedV2HeaderKeepsItsTlvsAndPrintsIpv6AsNginxDoes() {
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(bytes(0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x21));
        in.writeShort(36 + 5);
        in.writeBytes(bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
        in.writeBytes(bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2));
        in.writeShort(123).writeShort(5678);
        in.writeBytes(bytes(0x01, 0, 2, 'h', '2'));
        EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder());
        ch.writeInbound(in);
        HAProxyMessage m = ch.readInbound();
        try {
            ProxyHeader h = ProxyHeader.from(m);
            assertThat(h.srcAddr()).isEqualTo("2001:db8::1");
            assertThat(h.dstAddr()).isEqualTo("2001:db8::2");
            assertThat(h.srcPort()).isEqualTo(123);
            assertThat(TlvVariable.of("alpn").apply(h)).isEqualTo("h2");
            assertThat(ByteBufUtil.hexDump(h.tlvs().get(0).value())).isEqualTo("6832");
        } finally {
            m.release();
            ch.finishAndReleaseAll();
        }
    }
}
