package io.ferry.conf.directive;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.model.AccessRule;
import java.net.InetAddress;
import java.net.UnknownHostException;
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

    private static AccessRule rule(Directive d) throws ConfException {
        boolean allow = d.name().equals("allow");
        String value = d.args().get(0);
        if (value.equals("all")) {
            return new AccessRule(allow, null, 0);
        }
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        if (!address.matches("[0-9a-fA-F.:]+")) {
            throw Values.error(d, "invalid parameter \"" + value + "\"");
        }
        byte[] network;
        try {
            network = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw Values.error(d, "invalid parameter \"" + value + "\"");
        }
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
