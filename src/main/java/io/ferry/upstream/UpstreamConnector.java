package io.ferry.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;

/**
 * Opens upstream connections on the downstream channel's own event loop, with the same transport,
 * so the two sides of a proxied exchange never need a lock or a thread hop.
 */
public final class UpstreamConnector {
    private UpstreamConnector() {
    }

    public static ChannelFuture connect(Channel downstream, InetSocketAddress address, Duration timeout, ChannelHandler initializer) {
        Class<? extends Channel> type = io.ferry.net.Transport.onEpoll(downstream) ? EpollSocketChannel.class : NioSocketChannel.class;
        return new Bootstrap()
                .group(downstream.eventLoop())
                .channel(type)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(initializer)
                .connect(address);
    }

    /** A unix domain socket: epoll's channel beside an epoll client connection, the JDK's (Java 16+) under NIO. */
    public static ChannelFuture connectUnix(Channel downstream, String path, Duration timeout, ChannelHandler initializer) {
        boolean epoll = io.ferry.net.Transport.onEpoll(downstream);
        return new Bootstrap()
                .group(downstream.eventLoop())
                .channel(epoll ? EpollDomainSocketChannel.class : NioDomainSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(initializer)
                .connect(epoll ? new DomainSocketAddress(path) : UnixDomainSocketAddress.of(path));
    }

}
