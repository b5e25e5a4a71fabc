package io.ferry.upstream;

import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One peer of an upstream group: a `server` line (one per resolved address of its name).
 * {@code unixPath} is set (and {@code address} null) for a unix domain socket ("unix:/path").
 */
public record UpstreamServer(
        String name,
        InetSocketAddress address,
        int weight,
        int maxFails,
        Duration failTimeout,
        int maxConns,
        boolean backup,
        boolean down,
        String unixPath) {

    public UpstreamServer(String name, InetSocketAddress address, int weight, int maxFails, Duration failTimeout,
                          int maxConns, boolean backup, boolean down) {
        this(name, address, weight, maxFails, failTimeout, maxConns, backup, down, null);
    }

    /** How nginx prints a peer in logs and $upstream_addr: the resolved address and port, or "unix:/path". */
    public String addressText() {
        if (unixPath != null) {
            return "unix:" + unixPath;
        }
        String host = NetUtil.toAddressString(address.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** The peer inside an "upstream:" URL of a log line: nginx puts a ':' between a unix socket's path and the URI. */
    public String urlText() {
        return unixPath != null ? addressText() + ":" : addressText();
    }
}
