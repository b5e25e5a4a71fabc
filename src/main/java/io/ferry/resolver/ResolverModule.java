package io.ferry.resolver;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;
import static io.ferry.conf.Context.STREAM_UPSTREAM;
import static io.ferry.conf.Context.UPSTREAM;

import io.ferry.conf.Addresses;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * resolver and resolver_timeout: the name servers a {@code *_pass} with variables asks, at run
 * time, for a host that names no upstream group (nginx's ngx_http_core_module directives), and
 * that an upstream block's `server NAME resolve` lines ask (the block's own, else http's).
 */
public final class ResolverModule implements Module {
    /** A level's resolver, inherited; null where no level writes one. */
    public static final Slot<ResolverSettings> SETTINGS = new Slot<>();
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public String name() {
        return "http_resolver";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("resolver", EnumSet.of(HTTP, SERVER, LOCATION, UPSTREAM, STREAM_UPSTREAM), 1, DirectiveRows.ANY, null,
                false);
        rows.one("resolver_timeout", EnumSet.of(HTTP, SERVER, LOCATION, UPSTREAM, STREAM_UPSTREAM));
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        Duration timeout = level.time("resolver_timeout", DEFAULT_TIMEOUT);
        Directive d = level.inherited("resolver");
        return d == null ? null : parse(d, timeout);
    }

    /** nginx's ngx_resolver_create: addresses (port 53 by default, names resolved now), then parameters. */
    public static ResolverSettings parse(Directive d, Duration timeout) throws ConfException {
        List<InetSocketAddress> servers = new ArrayList<>();
        Duration valid = null;
        boolean ipv4 = true;
        boolean ipv6 = true;
        for (String arg : d.args()) {
            if (arg.startsWith("valid=")) {
                valid = valid(d, arg);
            } else if (arg.startsWith("ipv4=")) {
                ipv4 = onOff(d, arg);
            } else if (arg.startsWith("ipv6=")) {
                ipv6 = onOff(d, arg);
            } else if (arg.startsWith("status_zone=")) {
                continue; // a zone for nginx's API statistics, which Ferry does not keep
            } else {
                servers.addAll(addresses(d, arg));
            }
        }
        if (!ipv4 && !ipv6) {
            throw Values.error(d, "\"ipv4\" and \"ipv6\" cannot both be \"off\"");
        }
        if (servers.isEmpty()) {
            throw Values.error(d, "no name servers defined");
        }
        return new ResolverSettings(List.copyOf(servers), valid, ipv4, ipv6, timeout);
    }

    private static Duration valid(Directive d, String arg) throws ConfException {
        try {
            return Values.time(d, arg.substring(6));
        } catch (ConfException e) {
            throw Values.error(d, "invalid parameter: " + arg);
        }
    }

    private static boolean onOff(Directive d, String arg) throws ConfException {
        String v = arg.substring(5);
        if (v.equals("on") || v.equals("off")) {
            return v.equals("on");
        }
        throw Values.error(d, "invalid parameter: " + arg);
    }

    private static List<InetSocketAddress> addresses(Directive d, String arg) throws ConfException {
        Addresses.HostPort hp = Addresses.parse(d, arg, 53, false);
        if (hp.host() == null) {
            throw Values.error(d, "no host in resolver \"" + arg + "\"");
        }
        try {
            List<InetSocketAddress> out = new ArrayList<>();
            for (InetAddress a : InetAddress.getAllByName(hp.host())) {
                out.add(new InetSocketAddress(a, hp.port()));
            }
            return out;
        } catch (UnknownHostException e) {
            throw Values.error(d, "host not found in resolver \"" + arg + "\"");
        }
    }
}
