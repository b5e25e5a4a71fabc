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
}
