package io.ferry.module.realip;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Context;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.Exchange;
import io.ferry.http.hook.PostReadHandler;
import io.ferry.http.hook.AccessHandler;
import io.ferry.http.hook.PreAccessHandler;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.module.access.AccessRule;
import io.ferry.variable.Variable;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * nginx's realip module: a request from a trusted proxy (set_real_ip_from) names its client in
 * real_ip_header, and that address is $remote_addr from then on. As in nginx, the server's settings
 * are tried in the post-read phase; when they name no client, the location's are tried in the
 * pre-access phase.
 */
public final class RealIpModule implements Module {
    static final Slot<RealIp> SETTINGS = new Slot<>();
    /** The connection's peer, kept once realip named another client. */
    private static final Slot<InetSocketAddress> PEER = new Slot<>();

    /** real_ip_header's value that takes the client from the connection's PROXY protocol header. */
    private static final String PROXY_PROTOCOL = "proxy_protocol";
    private static final Set<Context> HSL = EnumSet.of(HTTP, SERVER, LOCATION);

    @Override
    public String name() {
        return "http_realip_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("set_real_ip_from", HSL, 1, 1, null, true);
        rows.one("real_ip_header", HSL);
        rows.one("real_ip_recursive", HSL);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        List<AccessRule> trusted = trusted(level);
        Directive header = level.inherited("real_ip_header");
        return new RealIp(trusted, header == null ? "X-Real-IP" : header.args().get(0),
                level.flag("real_ip_recursive", false));
    }

    /** The set_real_ip_from lines of the nearest level that writes any (http's and stream's). */
    public static List<AccessRule> trusted(Level level) throws ConfException {
        List<AccessRule> trusted = new ArrayList<>();
        for (Directive d : level.inheritedAll("set_real_ip_from")) {
            if (d.args().get(0).startsWith("unix:")) {
                throw Values.error(d, "unix domain sockets are not supported in \"set_real_ip_from\"");
            }
            trusted.add(AccessRule.of(d));
        }
        return List.copyOf(trusted);
    }

    @Override
    public PostReadHandler postReadHandler() {
        return RealIpModule::apply;
    }

    @Override
    public PreAccessHandler preAccessHandler() {
        return ex -> {
            if (!ex.remoteAddrReplaced()) {
                apply(ex);
            }
            return AccessHandler.DECLINED;
        };
    }

    /** The peer's own address and port, whatever the trusted proxy named (the connection's without realip). */
    @Override
    public Map<String, Variable> variables() {
        return Map.of("realip_remote_addr", s -> {
            InetSocketAddress peer = s.moduleContext(PEER);
            return peer == null ? s.remoteAddr() : peer.getAddress().getHostAddress();
        }, "realip_remote_port", s -> {
            InetSocketAddress peer = s.moduleContext(PEER);
            return peer == null ? s.remotePort() : Integer.toString(peer.getPort());
        });
    }

    private static void apply(Exchange ex) {
        RealIp realIp = ex.settings().module(SETTINGS);
        if (realIp.header().equals(PROXY_PROTOCOL)) {
            InetSocketAddress client = RealIpResolver.fromProxyProtocol(realIp, ex.channel().remoteAddress(), ex.proxyProtocol());
            if (client != null) {
                replace(ex, NetUtil.toAddressString(client.getAddress()));
                ex.remotePort(Integer.toString(client.getPort()));
            }
            return;
        }
        String client = RealIpResolver.resolve(realIp, ex.channel().remoteAddress(), ex.request());
        if (client != null) {
            replace(ex, client);
        }
    }

    private static void replace(Exchange ex, String client) {
        if (ex.channel().remoteAddress() instanceof InetSocketAddress peer) {
            ex.moduleContext(PEER, peer);
        }
        ex.remoteAddr(client);
    }
}
