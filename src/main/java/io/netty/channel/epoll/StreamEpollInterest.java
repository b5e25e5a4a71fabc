package io.netty.channel.epoll;

import io.netty.channel.Channel;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Works around Netty 4.2.18's epoll registration for half-closed stream sockets. Once a socket's
 * interest set is empty (its input ended, so no EPOLLIN or EPOLLRDHUP, and no write waiting for
 * EPOLLOUT), Netty takes it out of the epoll set but still believes it registered, and the next
 * write that has to wait fails on EPOLL_CTL_MOD with ENOENT, shutting the output down: the reply
 * to a client that half-closed was cut short. EPOLLERR in the interest set keeps it from being
 * empty; the kernel reports EPOLLERR whether asked or not, so no event is added. It lives in
 * Netty's package because the interest set is only open to it ({@code setFlag} is protected).
 */
public final class StreamEpollInterest {
    private StreamEpollInterest() {
    }

    /** On the channel's event loop, once it is registered; other transports are left alone. */
    public static void keepRegistered(Channel ch) {
        if (ch instanceof AbstractEpollChannel epoll) {
            try {
                epoll.setFlag(Native.EPOLLERR);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
