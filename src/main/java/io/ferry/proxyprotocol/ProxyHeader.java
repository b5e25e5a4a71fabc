package io.ferry.proxyprotocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * What a connection's PROXY protocol header said (nginx's ngx_proxy_protocol_t): the client's and
 * the proxy's addresses and ports, and a version 2 header's TLVs as sent. A header without
 * addresses (v1 UNKNOWN, v2 LOCAL or a family other than TCP over IPv4/IPv6) leaves none, as in
 * nginx, and the variables are then not found.
 */
public record ProxyHeader(String srcAddr, int srcPort, String dstAddr, int dstPort, List<Tlv> tlvs) {
    private static final AttributeKey<ProxyHeader> KEY = AttributeKey.valueOf("ferry.proxyProtocol");

    /** One TLV of a version 2 header: its type and its value's bytes. */
    public record Tlv(int type, byte[] value) {
    }

    /** The header read on {@code ch}, or null when none carried addresses (or the listener takes none). */
    public static ProxyHeader of(Channel ch) {
        return ch == null ? null : ch.attr(KEY).get();
    }

    static void keep(Channel ch, HAProxyMessage m) {
        ProxyHeader h = from(m);
        if (h != null) {
            ch.attr(KEY).set(h);
        }
    }

    static ProxyHeader from(HAProxyMessage m) {
        HAProxyProxiedProtocol p = m.proxiedProtocol();
        if (p != HAProxyProxiedProtocol.TCP4 && p != HAProxyProxiedProtocol.TCP6) {
            return null;
        }
        List<Tlv> tlvs = new ArrayList<>();
        for (HAProxyTLV t : m.tlvs()) {
            tlvs.add(new Tlv(t.typeByteValue() & 0xff, ByteBufUtil.getBytes(t.content())));
        }
        // v1 keeps the address as sent, as nginx does; v2's bytes are printed as nginx prints an address
        boolean v1 = m.protocolVersion() == HAProxyProtocolVersion.V1;
        return new ProxyHeader(v1 ? m.sourceAddress() : text(m.sourceAddress()), m.sourcePort(),
                v1 ? m.destinationAddress() : text(m.destinationAddress()), m.destinationPort(), List.copyOf(tlvs));
    }

    /** Netty spells a v2 IPv6 address out in full; nginx compresses it ("2001:db8::1"). */
    private static String text(String address) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        return bytes == null ? address : NetUtil.bytesToIpAddress(bytes);
    }

    /** The first TLV of {@code type} in {@code tlvs}, or null. */
    static byte[] find(List<Tlv> tlvs, int type) {
        for (Tlv t : tlvs) {
            if (t.type() == type) {
                return t.value();
            }
        }
        return null;
    }

    /** The sub-TLVs of an SSL TLV's value, after its client byte and verify word. */
    static List<Tlv> parse(ByteBuf value) {
        List<Tlv> out = new ArrayList<>();
        while (value.readableBytes() >= 3) {
            int type = value.readUnsignedByte();
            int len = value.readUnsignedShort();
            if (len > value.readableBytes()) {
                break;
            }
            out.add(new Tlv(type, ByteBufUtil.getBytes(value.readSlice(len))));
        }
        return out;
    }
}
