package io.ferry.proxyprotocol;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * $proxy_protocol_tlv_NAME, read as nginx's ngx_proxy_protocol_get_tlv does: NAME is a known
 * TLV's name or 0xNN; "ssl_" before one of them names a sub-TLV of the SSL TLV (0x20), and
 * ssl_verify its verify word in decimal. The value is the TLV's bytes as sent.
 */
public final class TlvVariable {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    public static final String PREFIX = "proxy_protocol_tlv_";
    private static final int SSL = 0x20;
    /** The SSL TLV's client byte and verify word come before its sub-TLVs. */
    private static final int SSL_FIXED = 5;
    private static final Map<String, Integer> NAMES = Map.of("alpn", 0x01, "authority", 0x02, "unique_id", 0x05,
            "ssl", SSL, "netns", 0x30);
    private static final Map<String, Integer> SSL_NAMES = Map.of("version", 0x21, "cn", 0x22, "cipher", 0x23,
            "sig_alg", 0x24, "key_alg", 0x25);

    private TlvVariable() {
    }

    /** The reader of $proxy_protocol_tlv_{@code name}; an unknown name is never found, logged at each use as nginx does. */
    public static Function<ProxyHeader, String> of(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("ssl_")) {
            String sub = n.substring(4);
            if (sub.equals("verify")) {
                return h -> {
                    byte[] ssl = ProxyHeader.find(h.tlvs(), SSL);
                    return ssl == null || ssl.length < SSL_FIXED ? null
                            : Long.toString(Unpooled.wrappedBuffer(ssl).getUnsignedInt(1));
                };
            }
            int type = type(sub, SSL_NAMES);
            return type < 0 ? unknown(name) : h -> {
                byte[] ssl = ProxyHeader.find(h.tlvs(), SSL);
                return ssl == null || ssl.length < SSL_FIXED ? null
                        : text(ProxyHeader.find(ProxyHeader.parse(Unpooled.wrappedBuffer(ssl).skipBytes(SSL_FIXED)), type));
            };
        }
        int type = type(n, NAMES);
        return type < 0 ? unknown(name) : h -> text(ProxyHeader.find(h.tlvs(), type));
    }

    /** A TLV's type by name or 0xNN (any count of hex digits, as ngx_hextoi reads them), or -1. */
    static int type(String name, Map<String, Integer> names) {
        if (name.startsWith("0x")) {
            String hex = name.substring(2);
            return hex.isEmpty() || hex.length() > 7 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)
                    ? -1 : Integer.parseInt(hex, 16);
        }
        return names.getOrDefault(name, -1);
    }

    private static Function<ProxyHeader, String> unknown(String name) {
        return h -> {
            LOG.error("unknown PROXY protocol TLV \"{}\"", name);
            return null;
        };
    }

    private static String text(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.ISO_8859_1);
    }
}
