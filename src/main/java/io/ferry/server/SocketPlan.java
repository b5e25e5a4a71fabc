package io.ferry.server;

import io.ferry.model.HttpConfig;
import io.ferry.model.Listen;
import io.ferry.model.VirtualServer;
import io.ferry.route.ServerSelector;
import io.ferry.tls.TlsContexts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which sockets to bind and which servers each serves. As in nginx, when a port has a wildcard
 * listen, only the wildcard is bound and the connection's local address picks among the
 * address-specific server sets; "*:P" and "[::]:P" share one dual-stack socket.
 */
record SocketPlan(InetSocketAddress bind, Map<String, Site> sites) {
    static final String ANY = "*";

    /** Site for a connection accepted on local address {@code local}. */
    Site siteFor(InetSocketAddress local) {
        if (sites.size() == 1) {
            return sites.values().iterator().next();
        }
        Site s = sites.get(local.getAddress().getHostAddress());
        return s != null ? s : sites.get(ANY);
    }

    static Map<String, SocketPlan> plan(HttpConfig http) throws IOException {
        Map<Integer, Map<String, List<Entry>>> byPort = new LinkedHashMap<>();
        for (VirtualServer vs : http.servers()) {
            for (Listen l : vs.listens()) {
                String addr = l.host() == null || l.host().equals("::") || l.host().equals("0.0.0.0") ? ANY : l.host();
                byPort.computeIfAbsent(l.port(), p -> new LinkedHashMap<>())
                        .computeIfAbsent(addr, a -> new ArrayList<>()).add(new Entry(vs, l));
            }
        }
        Map<String, SocketPlan> plans = new LinkedHashMap<>();
        for (Map.Entry<Integer, Map<String, List<Entry>>> port : byPort.entrySet()) {
            Map<String, List<Entry>> addrs = port.getValue();
            if (addrs.containsKey(ANY)) {
                Map<String, Site> sites = new HashMap<>();
                for (Map.Entry<String, List<Entry>> a : addrs.entrySet()) {
                    sites.put(a.getKey(), site(a.getValue()));
                }
                boolean v6 = addrs.get(ANY).stream().anyMatch(e -> "::".equals(e.listen.host()));
                InetSocketAddress bind = v6 ? new InetSocketAddress("::", port.getKey()) : new InetSocketAddress("0.0.0.0", port.getKey());
                plans.put(ANY + ":" + port.getKey(), new SocketPlan(bind, Map.copyOf(sites)));
            } else {
                for (Map.Entry<String, List<Entry>> a : addrs.entrySet()) {
                    plans.put(a.getKey() + ":" + port.getKey(), new SocketPlan(new InetSocketAddress(a.getKey(), port.getKey()),
                            Map.of(ANY, site(a.getValue()))));
                }
            }
        }
        return plans;
    }

    private record Entry(VirtualServer server, Listen listen) {
    }

    private static Site site(List<Entry> entries) throws IOException {
        List<VirtualServer> servers = new ArrayList<>();
        VirtualServer defaultServer = null;
        boolean ssl = false;
        for (Entry e : entries) {
            if (!servers.contains(e.server)) {
                servers.add(e.server);
            }
            if (e.listen.defaultServer() && defaultServer == null) {
                defaultServer = e.server;
            }
            ssl |= e.listen.ssl();
        }
        if (defaultServer == null) {
            defaultServer = servers.get(0);
        }
        return new Site(new ServerSelector(servers, defaultServer), ssl ? TlsContexts.sniMapping(servers, defaultServer) : null);
    }
}
