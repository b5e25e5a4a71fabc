package io.ferry.model;

import java.net.InetSocketAddress;
import java.time.Duration;

/** One peer of an upstream group: a `server` line (one per resolved address of its name). */
public record UpstreamServer(
        String name,
        InetSocketAddress address,
        int weight,
        int maxFails,
        Duration failTimeout,
        int maxConns,
        boolean backup,
        boolean down) {

    /** How nginx prints a peer in logs and $upstream_addr: the resolved address and port. */
    public String addressText() {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
