package io.ferry.stream;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;

/**
 * Drops read requests on a channel whose input is already shut down. The relay asks for the next
 * read after every write; reading a half-closed epoll socket again reports its EOF a second time,
 * after which Netty 4.2's epoll transport loses the socket's registration, and the next write that
 * must wait for EPOLLOUT fails with "epoll_ctl(..) failed with error(-2)" (the reply to a
 * half-closed client was cut short).
 */
@ChannelHandler.Sharable
final class ReadGuard extends ChannelOutboundHandlerAdapter {
    static final ReadGuard INSTANCE = new ReadGuard();

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (ctx.channel() instanceof DuplexChannel d && d.isInputShutdown()) {
            return;
        }
        ctx.read();
    }
}
