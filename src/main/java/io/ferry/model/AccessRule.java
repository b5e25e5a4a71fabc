package io.ferry.model;

import java.net.InetAddress;

/** allow/deny ADDRESS|CIDR|all; the first rule matching the client decides. */
public record AccessRule(boolean allow, byte[] network, int prefixLength) {

    /** null network means "all". */
    public boolean matches(InetAddress client) {
        if (network == null) {
            return true;
        }
        byte[] a = client.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int bits = prefixLength;
        for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((a[i] & mask) != (network[i] & mask)) {
                return false;
            }
        }
        return true;
    }
}
