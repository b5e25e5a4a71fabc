package io.ferry.module.access;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.access.IpLiteral;
import java.net.InetAddress;
import java.util.List;

/**
 * allow/deny ADDRESS|CIDR|unix:|all; the first rule matching the client decides; "unix:" (an
 * empty network) matches the clients of unix domain sockets only, "all" every client. realip's trusted proxies
 * are the same shape (set_real_ip_from reads as an "allow").
 */
public record AccessRule(boolean allow, byte[] network, int prefixLength) {

    /** The rule a line writes: "deny" refuses, any other directive name allows. */
    public static AccessRule of(Directive d) throws ConfException {
        boolean allow = !d.name().equals("deny");
        String value = d.args().get(0);
        if (value.equals("all")) {
            return new AccessRule(allow, null, 0);
        }
        if (value.equals("unix:")) {
            return new AccessRule(allow, new byte[0], 0);
        }
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        InetAddress parsed = IpLiteral.parse(address);
        if (parsed == null) {
            throw Values.error(d, "invalid parameter \"" + value + "\"");
        }
        byte[] network = parsed.getAddress();
        int prefix = network.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(value.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > network.length * 8) {
                throw Values.error(d, "invalid parameter \"" + value + "\"");
            }
        }
        return new AccessRule(allow, network, prefix);
    }

    /** The first of {@code rules} that matches the client ({@code null} for a unix domain socket's), or null. */
    public static AccessRule first(List<AccessRule> rules, InetAddress client) {
        for (AccessRule rule : rules) {
            if (client == null ? rule.matchesUnix() : rule.matches(client)) {
                return rule;
            }
        }
        return null;
    }

    /** Whether the rule matches a client of a unix domain socket. */
    public boolean matchesUnix() {
        return network == null || network.length == 0;
    }

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
