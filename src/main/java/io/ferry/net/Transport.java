package io.ferry.net;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/** epoll where the native transport loads (Linux), NIO elsewhere. */
public final class Transport {
    private Transport() {
    }

    public static boolean isNative() {
        return Epoll.isAvailable();
    }

    public static IoHandlerFactory ioHandlerFactory() {
        return isNative() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The listening channel of a unix domain socket for the event loops' transport. */
    public static Class<? extends ServerChannel> domainServerChannel(boolean epoll) {
        return epoll ? io.netty.channel.epoll.EpollServerDomainSocketChannel.class
                : io.netty.channel.socket.nio.NioServerDomainSocketChannel.class;
    }

    public static Class<? extends ServerChannel> serverChannel() {
        return isNative() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * Whether a client connection runs on the epoll loops (its upstream and resolver sockets must too): a
     * client on a unix domain socket does, as its listener; an HTTP/2 stream runs on its connection's loop.
     */
    public static boolean onEpoll(io.netty.channel.Channel downstream) {
        if (downstream instanceof io.netty.handler.codec.http2.Http2StreamChannel stream) {
            return onEpoll(stream.parent());
        }
        return downstream instanceof io.netty.channel.epoll.EpollSocketChannel
                || downstream instanceof io.netty.channel.epoll.EpollDomainSocketChannel;
    }
}
