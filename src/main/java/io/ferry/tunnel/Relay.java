package io.ferry.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One direction of a {@link Tunnel}: what this channel reads is written to the peer. */
final class Relay extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

    private final Tunnel tunnel;
    private final Channel peer;
    private final StreamObserver observer;
    private boolean writing;
    private boolean draining;

    Relay(Tunnel tunnel, Channel peer, StreamObserver observer) {
        this.tunnel = tunnel;
        this.peer = peer;
        this.observer = observer;
    }

    void drain() {
        draining = true;
    }

    /** Draining and standing at a boundary with nothing in flight: no byte of this direction moves any more. */
    boolean quiet() {
        return draining && !writing && observer.atBoundary();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (quiet()) {
            // A read asked for before the drain came back with what follows the last message: the
            // tunnel's end has been (or is being) sent, so nothing after it may reach the peer
            // (a WebSocket end answering the close would give the other a second one).
            ReferenceCountUtil.release(msg);
            return;
        }
        tunnel.activity();
        if (msg instanceof ByteBuf buf) {
            observer.observe(buf);
        }
        writing = true;
        peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            writing = false;
            if (!f.isSuccess()) {
                tunnel.closeAll();
            } else if (quiet()) {
                tunnel.quietChanged();
            } else {
                ctx.channel().read();
            }
        });
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Reads are driven by write completion only.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            tunnel.inputDone(ctx.channel());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        tunnel.closeAll();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("tunnel side {} failed", ctx.channel(), cause);
        tunnel.closeAll();
    }
}
