package io.ferry.server;

import io.ferry.http.v2.Http2Module;
import io.ferry.model.HttpConfig;
import io.ferry.model.Listen;
import io.ferry.model.VirtualServer;
import io.ferry.net.SocketOptions;
import io.ferry.net.SocketPlan;
import io.ferry.route.ServerSelector;
import io.ferry.tls.TlsContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The virtual servers reachable through one local address of a listening socket, their TLS mapping
 * (null for plain), whether a PROXY protocol header comes first and whether "listen ... http2" was
 * said (any listen of the address says so, as nginx merges them like ssl).
 */
record Site(ServerSelector selector, Mapping<String, SslContext> sni, boolean proxyProtocol, boolean listenHttp2) {
    boolean secure() {
        return sni != null;
    }

    /** The HTTP sockets: each local address serves the servers that listen on it, the default one first. */
    static Map<String, SocketPlan<Site>> plan(HttpConfig http) throws IOException {
        Map<Integer, Map<String, List<Entry>>> byPort = new LinkedHashMap<>();
        Set<Integer> v6 = new HashSet<>();
        Map<String, SocketOptions> options = new HashMap<>();
        for (VirtualServer vs : http.servers()) {
            for (Listen l : vs.listens()) {
                String addr = SocketPlan.addressKey(l.host(), l.socket());
                if (addr.equals(SocketPlan.ANY) && "::".equals(l.host())) {
                    v6.add(l.port());
                }
                SocketPlan.addOptions(options, addr + ":" + l.port(), l.socket());
                byPort.computeIfAbsent(l.port(), p -> new LinkedHashMap<>())
                        .computeIfAbsent(addr, a -> new ArrayList<>()).add(new Entry(vs, l));
            }
        }
        Map<Integer, Map<String, Site>> sites = new LinkedHashMap<>();
        for (Map.Entry<Integer, Map<String, List<Entry>>> port : byPort.entrySet()) {
            Map<String, Site> byAddress = new LinkedHashMap<>();
            for (Map.Entry<String, List<Entry>> a : port.getValue().entrySet()) {
                byAddress.put(a.getKey(), site(a.getValue()));
            }
            sites.put(port.getKey(), byAddress);
        }
        return SocketPlan.of(sites, (port, site) -> v6.contains(port), options);
    }

    private record Entry(VirtualServer server, Listen listen) {
    }

    private static Site site(List<Entry> entries) throws IOException {
        List<VirtualServer> servers = new ArrayList<>();
        VirtualServer defaultServer = null;
        boolean ssl = false;
        boolean proxyProtocol = false;
        boolean http2 = false;
        for (Entry e : entries) {
            if (!servers.contains(e.server)) {
                servers.add(e.server);
            }
            if (e.listen.defaultServer() && defaultServer == null) {
                defaultServer = e.server;
            }
            ssl |= e.listen.ssl();
            proxyProtocol |= e.listen.proxyProtocol();
            http2 |= e.listen.http2();
        }
        if (defaultServer == null) {
            defaultServer = servers.get(0);
        }
        boolean listenHttp2 = http2;
        return new Site(new ServerSelector(servers, defaultServer),
                ssl ? TlsContexts.sniMapping(servers, defaultServer, vs -> listenHttp2 || http2On(vs)) : null,
                proxyProtocol, listenHttp2);
    }

    /** Whether HTTP/2 is on for a server of this address: "listen ... http2" on it, or the server's http2. */
    boolean http2(VirtualServer vs) {
        return listenHttp2 || http2On(vs);
    }

    private static boolean http2On(VirtualServer vs) {
        return vs.fallback().module(Http2Module.SETTINGS).enabled();
    }
}
