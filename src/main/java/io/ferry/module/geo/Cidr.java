package io.ferry.module.geo;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.access.IpLiteral;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A network as geo writes it (nginx's ngx_ptocidr): ADDRESS or ADDRESS/BITS, IPv4 or IPv6. */
record Cidr(byte[] network, int bits) {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    boolean v4() {
        return network.length == 4;
    }

    /**
     * Parses {@code text} with nginx's errors; address bits beyond the mask are dropped with
     * nginx's warning. "255.255.255.255" is taken as written, as nginx special-cases it.
     */
    static Cidr parse(Directive d, String text) throws ConfException {
        int slash = text.indexOf('/');
        InetAddress a = IpLiteral.parse(slash < 0 ? text : text.substring(0, slash));
        if (a == null) {
            throw Values.error(d, "invalid network \"" + text + "\"");
        }
        byte[] bytes = a.getAddress();
        int bits = bytes.length * 8;
        if (slash >= 0) {
            String mask = text.substring(slash + 1);
            if (!mask.matches("[0-9]{1,3}") || Integer.parseInt(mask) > bits) {
                throw Values.error(d, "invalid network \"" + text + "\"");
            }
            bits = Integer.parseInt(mask);
        }
        boolean meaningless = false;
        for (int i = bits; i < bytes.length * 8; i++) {
            int bit = 0x80 >> (i & 7);
            if ((bytes[i >> 3] & bit) != 0) {
                bytes[i >> 3] &= (byte) ~bit;
                meaningless = true;
            }
        }
        if (meaningless) {
            LOG.warn("low address bits of {} are meaningless in {}:{}", text, d.file(), d.line());
        }
        return new Cidr(bytes, bits);
    }
}
