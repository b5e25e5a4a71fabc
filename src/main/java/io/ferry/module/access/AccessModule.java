package io.ferry.module.access;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LIMIT_EXCEPT;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.http.hook.AccessHandler;
import io.ferry.http.Exchange;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * nginx's access module: allow/deny in the order written, from the nearest level that writes any;
 * the first rule matching the connection's peer decides.
 */
public final class AccessModule implements Module {
    static final Slot<List<AccessRule>> RULES = new Slot<>();

    @Override
    public String name() {
        return "http_access_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("allow", EnumSet.of(HTTP, SERVER, LOCATION, LIMIT_EXCEPT), 1, 1, null, true);
        rows.add("deny", EnumSet.of(HTTP, SERVER, LOCATION, LIMIT_EXCEPT), 1, 1, null, true);
    }

    @Override
    public Slot<?> settingsSlot() {
        return RULES;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        return rules(level);
    }

    /** allow and deny lines of the nearest level that writes any, in order (http's and stream's). */
    public static List<AccessRule> rules(Level level) throws ConfException {
        List<AccessRule> out = new ArrayList<>();
        for (Directive d : level.inheritedAllOf("allow", "deny")) {
            out.add(AccessRule.of(d));
        }
        return List.copyOf(out);
    }

    @Override
    public AccessHandler accessHandler() {
        return AccessModule::check;
    }

    private static int check(Exchange ex) {
        List<AccessRule> rules = ex.settings().module(RULES);
        if (rules.isEmpty()) {
            return AccessHandler.DECLINED;
        }
        // the client realip named is the one the rules are about, as in nginx; a unix socket's has no address
        InetAddress client = ex.remoteAddrReplaced() ? IpLiteral.parse(ex.remoteAddr())
                : ex.channel().remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
        AccessRule rule = AccessRule.first(rules, client);
        if (rule == null) {
            return AccessHandler.DECLINED;
        }
        if (rule.allow()) {
            return AccessHandler.OK;
        }
        // under "satisfy any" another check may still let the request through: the phase logs it then
        if (!ex.settings().satisfyAny()) {
            AccessHandler.logForbidden(ex);
        }
        return 403;
    }
}
