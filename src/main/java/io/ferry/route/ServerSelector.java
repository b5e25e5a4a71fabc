package io.ferry.route;

import io.ferry.model.ServerName;
import io.ferry.model.VirtualServer;
import io.ferry.variable.Captures;
import java.util.List;
import java.util.Locale;

/**
 * Picks the virtual server of one listening socket by host name, in nginx's order: exact name,
 * longest leading wildcard, longest trailing wildcard, first matching regex, else the default
 * server (marked default_server, or the first one listed for the socket).
 */
public final class ServerSelector {
    private final List<VirtualServer> servers;
    private final VirtualServer defaultServer;

    public ServerSelector(List<VirtualServer> servers, VirtualServer defaultServer) {
        this.servers = List.copyOf(servers);
        this.defaultServer = defaultServer;
    }

    public VirtualServer defaultServer() {
        return defaultServer;
    }

    public List<VirtualServer> servers() {
        return servers;
    }

    /** The match of the first regex server_name of {@code server} that matches, for its named captures. */
    public static Captures captures(VirtualServer server, String host) {
        if (host == null) {
            return null;
        }
        for (ServerName sn : server.names()) {
            if (sn.kind() == ServerName.Kind.REGEX) {
                Captures c = sn.regex().find(host.toLowerCase(Locale.ROOT));
                if (c != null) {
                    return c;
                }
            }
        }
        return null;
    }

    public VirtualServer select(String host) {
        if (host == null || host.isEmpty()) {
            // server_name "" is the documented way to catch requests without a Host
            return servers.stream().filter(vs -> vs.names().stream()
                    .anyMatch(sn -> sn.kind() == ServerName.Kind.EXACT && sn.text().isEmpty()))
                    .findFirst().orElse(defaultServer);
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        VirtualServer best = null;
        int bestLength = -1;
        for (VirtualServer vs : servers) {
            for (ServerName sn : vs.names()) {
                if (sn.kind() == ServerName.Kind.EXACT && sn.text().equals(name)) {
                    return vs;
                }
            }
        }
        for (VirtualServer vs : servers) {
            for (ServerName sn : vs.names()) {
                if (sn.kind() == ServerName.Kind.LEADING_WILDCARD) {
                    String suffix = sn.text().startsWith("*") ? sn.text().substring(1) : sn.text();
                    boolean dotForm = !sn.text().startsWith("*");
                    boolean hit = name.endsWith(suffix) || (dotForm && name.equals(suffix.substring(1)));
                    if (hit && suffix.length() > bestLength) {
                        best = vs;
                        bestLength = suffix.length();
                    }
                }
            }
        }
        if (best != null) {
            return best;
        }
        for (VirtualServer vs : servers) {
            for (ServerName sn : vs.names()) {
                if (sn.kind() == ServerName.Kind.TRAILING_WILDCARD) {
                    String start = sn.text().substring(0, sn.text().length() - 1);
                    if (name.startsWith(start) && start.length() > bestLength) {
                        best = vs;
                        bestLength = start.length();
                    }
                }
            }
        }
        if (best != null) {
            return best;
        }
        for (VirtualServer vs : servers) {
            for (ServerName sn : vs.names()) {
                if (sn.kind() == ServerName.Kind.REGEX && sn.regex().find(name) != null) {
                    return vs;
                }
            }
        }
        return defaultServer;
    }
}
