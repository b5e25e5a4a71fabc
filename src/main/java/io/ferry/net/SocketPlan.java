package io.ferry.net;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Which sockets to bind and what each serves, for HTTP and stream alike. As in nginx, when a port
 * has a wildcard listen, only the wildcard is bound and the connection's local address picks among
 * the address-specific sites, unless an address asks for a socket of its own ("bind" or a socket
 * parameter). "[::]:P" is an IPv6-only socket of its own unless ipv6only=off, when it shares one
 * dual-stack socket with "*:P". A "unix:PATH" listen is a socket of its own, {@code unixPath} set
 * and {@code bind} null. {@code S} is what one local address serves.
 */
public record SocketPlan<S>(InetSocketAddress bind, Map<String, S> sites, SocketOptions options, String unixPath) {
    /** The address: keyed "unix:PATH" (port 0) by {@link #of}, as nginx names such a listen. */
    public static final String UNIX = "unix:";

    /** What the socket binds: the IP address and port, or the unix domain socket's path. */
    public SocketAddress address() {
        return unixPath != null ? new DomainSocketAddress(unixPath) : bind;
    }

    /** The address key of a wildcard listen. */
    public static final String ANY = "*";

    /** The site for a connection accepted on local address {@code local}. */
    public S siteFor(SocketAddress local) {
        if (sites.size() == 1 || !(local instanceof InetSocketAddress inet)) {
            return sites.values().iterator().next();
        }
        S s = sites.get(NetUtil.toAddressString(inet.getAddress()));
        return s != null ? s : sites.get(ANY);
    }

    /** The address key of a listen's host: {@link #ANY} for every address, "::" for IPv6's own wildcard. */
    public static String addressKey(String host, SocketOptions socket) {
        if (host == null || host.equals("0.0.0.0") || (host.equals("::") && !socket.ipv6only())) {
            return ANY;
        }
        // IPv6 in one spelling, the one siteFor looks up ("[0:0::1]" and "[::1]" are one address)
        return NetUtil.isValidIpV6Address(host) ? NetUtil.toAddressString(NetUtil.getByName(host)) : host;
    }

    /**
     * Records the socket parameters of a listen on {@code key} ("address:port"); like nginx, only one
     * listen of an address may set them.
     */
    public static void addOptions(Map<String, SocketOptions> options, String key, SocketOptions socket) throws IOException {
        SocketOptions before = options.get(key);
        if (before == null || !before.bind()) {
            options.put(key, socket);
        } else if (socket.bind()) {
            throw new IOException("duplicate listen options for " + key);
        }
    }

    /**
     * The sockets for {@code byPort} (port, then address key, to site; in listen order), keyed
     * "address:port". {@code dualStack} tells whether a port's wildcard site asked for [::];
     * {@code options} holds the socket parameters by "address key:port".
     */
    public static <S> Map<String, SocketPlan<S>> of(Map<Integer, Map<String, S>> byPort, BiPredicate<Integer, S> dualStack,
                                                    Map<String, SocketOptions> options) {
        Map<String, SocketPlan<S>> plans = new LinkedHashMap<>();
        for (Map.Entry<Integer, Map<String, S>> port : byPort.entrySet()) {
            Map<String, S> sites = port.getValue();
            int p = port.getKey();
            boolean wildcard = sites.containsKey(ANY);
            for (Map.Entry<String, S> a : sites.entrySet()) {
                String key = a.getKey() + ":" + p;
                SocketOptions o = options.getOrDefault(key, SocketOptions.DEFAULT);
                if (a.getKey().startsWith(UNIX)) {
                    plans.put(a.getKey(), new SocketPlan<>(null, Map.of(ANY, a.getValue()), o,
                            a.getKey().substring(UNIX.length())));
                } else if (a.getKey().equals(ANY)) {
                    InetSocketAddress bind = new InetSocketAddress(dualStack.test(p, a.getValue()) ? "::" : "0.0.0.0", p);
                    plans.put(key, new SocketPlan<>(bind, Map.copyOf(sites), o, null));
                } else if (!wildcard || o.bind() || a.getKey().equals("::")) {
                    String name = a.getKey().indexOf(':') >= 0 ? "[" + a.getKey() + "]:" + p : key;
                    plans.put(name, new SocketPlan<>(new InetSocketAddress(a.getKey(), p), Map.of(ANY, a.getValue()), o, null));
                }
            }
        }
        return plans;
    }
}
