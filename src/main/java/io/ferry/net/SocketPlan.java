package io.ferry.net;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Which sockets to bind and what each serves, for HTTP and stream alike. As in nginx, when a port
 * has a wildcard listen, only the wildcard is bound and the connection's local address picks among
 * the address-specific sites; "*:P" and "[::]:P" share one dual-stack socket. {@code S} is what one
 * local address serves.
 */
public record SocketPlan<S>(InetSocketAddress bind, Map<String, S> sites) {
    /** The address key of a wildcard listen. */
    public static final String ANY = "*";

    /** The site for a connection accepted on local address {@code local}. */
    public S siteFor(InetSocketAddress local) {
        if (sites.size() == 1) {
            return sites.values().iterator().next();
        }
        S s = sites.get(local.getAddress().getHostAddress());
        return s != null ? s : sites.get(ANY);
    }

    /** The address key of a listen's host: {@link #ANY} for every address. */
    public static String addressKey(String host) {
        return host == null || host.equals("::") || host.equals("0.0.0.0") ? ANY : host;
    }

    /**
     * The sockets for {@code byPort} (port, then address key, to site; in listen order), keyed
     * "address:port". {@code dualStack} tells whether a port's wildcard site asked for [::].
     */
    public static <S> Map<String, SocketPlan<S>> of(Map<Integer, Map<String, S>> byPort, BiPredicate<Integer, S> dualStack) {
        Map<String, SocketPlan<S>> plans = new LinkedHashMap<>();
        for (Map.Entry<Integer, Map<String, S>> port : byPort.entrySet()) {
            Map<String, S> sites = port.getValue();
            if (sites.containsKey(ANY)) {
                boolean v6 = dualStack.test(port.getKey(), sites.get(ANY));
                InetSocketAddress bind = new InetSocketAddress(v6 ? "::" : "0.0.0.0", port.getKey());
                plans.put(ANY + ":" + port.getKey(), new SocketPlan<>(bind, Map.copyOf(sites)));
            } else {
                for (Map.Entry<String, S> a : sites.entrySet()) {
                    plans.put(a.getKey() + ":" + port.getKey(),
                            new SocketPlan<>(new InetSocketAddress(a.getKey(), port.getKey()), Map.of(ANY, a.getValue())));
                }
            }
        }
        return plans;
    }
}
