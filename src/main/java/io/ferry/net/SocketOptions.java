package io.ferry.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.unix.IntegerUnixChannelOption;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import jdk.net.ExtendedSocketOptions;

/**
 * The socket parameters of a listen directive (backlog=, rcvbuf=, sndbuf=, ipv6only=, reuseport,
 * so_keepalive=, deferred, fastopen=). As in nginx, setting any of them, or "bind", gives the
 * address a socket of its own even when a wildcard listens on the same port. -1 (0 for the
 * keepalive timings) leaves the system default.
 */
public record SocketOptions(int backlog, int rcvbuf, int sndbuf, boolean ipv6only, boolean reuseport,
                            Boolean keepalive, int keepidle, int keepintvl, int keepcnt,
                            boolean deferred, int fastopen, boolean bind) {
    /** nginx's NGX_LISTEN_BACKLOG on Linux. */
    public static final int DEFAULT_BACKLOG = 511;
    public static final SocketOptions DEFAULT =
            new SocketOptions(DEFAULT_BACKLOG, -1, -1, true, false, null, 0, 0, 0, false, -1, false);

    /** IPV6_V6ONLY, which Java's socket options do not name (IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26 on Linux). */
    static final IntegerUnixChannelOption IPV6_V6ONLY = new IntegerUnixChannelOption("IPV6_V6ONLY", 41, 26);
    /** How long a deferred accept waits for data: nginx uses the client_header_timeout, 60s by default. */
    static final int DEFER_ACCEPT_SECONDS = 60;

    /**
     * Sets these options on {@code b} for a socket bound to {@code address}. The native (epoll)
     * transport has every option; on NIO, ipv6only=on, deferred and fastopen have no Java API and
     * are left to the system.
     */
    void apply(ServerBootstrap b, InetSocketAddress address, boolean epoll) {
        b.option(ChannelOption.SO_BACKLOG, backlog);
        if (rcvbuf > 0) {
            b.option(ChannelOption.SO_RCVBUF, rcvbuf);
        }
        if (sndbuf > 0) {
            // accepted sockets inherit it in nginx; Java only sets the send buffer of connected sockets
            b.childOption(ChannelOption.SO_SNDBUF, sndbuf);
        }
        // Every TCP listener may be shared, so that a new Ferry can bind the same ports while this one
        // still listens (-s upgrade); ListenerSet probes first, so a second server still finds the port taken.
        if (epoll) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        } else {
            b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        }
        if (epoll && address.getAddress() instanceof Inet6Address) {
            b.option(IPV6_V6ONLY, ipv6only ? 1 : 0);
        }
        if (keepalive != null) {
            b.childOption(ChannelOption.SO_KEEPALIVE, keepalive);
        }
        if (keepidle > 0) {
            b.childOption(epoll ? EpollChannelOption.TCP_KEEPIDLE : NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), keepidle);
        }
        if (keepintvl > 0) {
            b.childOption(epoll ? EpollChannelOption.TCP_KEEPINTVL : NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), keepintvl);
        }
        if (keepcnt > 0) {
            b.childOption(epoll ? EpollChannelOption.TCP_KEEPCNT : NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), keepcnt);
        }
        if (epoll && deferred) {
            b.option(EpollChannelOption.TCP_DEFER_ACCEPT, DEFER_ACCEPT_SECONDS);
        }
        if (epoll && fastopen >= 0) {
            b.option(EpollChannelOption.TCP_FASTOPEN, fastopen);
        }
    }
}
