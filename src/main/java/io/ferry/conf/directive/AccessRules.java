package io.ferry.conf.directive;

import io.ferry.conf.Values;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.model.AccessRule;
import io.ferry.model.IpLiteral;
import io.ferry.model.RealIp;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** allow/deny in the order written, at the nearest level that has any (nginx's access module). */
final class AccessRules {
    private AccessRules() {
    }

    static List<AccessRule> of(Scope s) throws ConfException {
        List<Directive> rules = null;
        for (Scope level = s; level != null && rules == null; level = level.parent()) {
            List<Directive> here = level.ownAllOf("allow", "deny");
            if (!here.isEmpty()) {
                rules = here;
            }
        }
        if (rules == null) {
            return List.of();
        }
        List<AccessRule> out = new ArrayList<>();
        for (Directive d : rules) {
            out.add(rule(d));
        }
        return List.copyOf(out);
    }

    /** The realip module's settings at this level (the trusted list as "allow" rules). */
    static RealIp realIp(Scope s) throws ConfException {
        List<AccessRule> trusted = new ArrayList<>();
        for (Directive d : s.inheritedAll("set_real_ip_from")) {
            if (d.args().get(0).startsWith("unix:")) {
                throw Values.error(d, "unix domain sockets are not supported in \"set_real_ip_from\"");
            }
            trusted.add(rule(d));
        }
        Directive header = s.inherited("real_ip_header");
        if (header != null && header.args().get(0).equals("proxy_protocol")) {
            throw Values.error(header, "the PROXY protocol is not supported");
        }
        Directive recursive = s.inherited("real_ip_recursive");
        return new RealIp(List.copyOf(trusted), header == null ? "X-Real-IP" : header.args().get(0),
                recursive != null && Values.flag(recursive));
    }

    private static AccessRule rule(Directive d) throws ConfException {
        boolean allow = !d.name().equals("deny");
        String value = d.args().get(0);
        if (value.equals("all")) {
            return new AccessRule(allow, null, 0);
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
}
