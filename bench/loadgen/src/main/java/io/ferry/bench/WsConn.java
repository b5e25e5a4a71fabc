package io.ferry.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.Promise;
import java.net.URI;
import java.util.function.BiConsumer;

/**
 * A WebSocket client connection with Netty's RFC 6455 client codec: the opening handshake is a
 * real HTTP/1.1 upgrade with a random key and the frames it sends are masked, as a browser's are.
 */
final class WsConn extends SimpleChannelInboundHandler<Object> {
    static final int MAX_FRAME = 1 << 20;

    private final WebSocketClientHandshaker handshaker;
    private final Promise<Channel> ready;
    private final BiConsumer<WsConn, WebSocketFrame> onFrame;
    Channel channel;

    private WsConn(URI uri, Promise<Channel> ready, BiConsumer<WsConn, WebSocketFrame> onFrame) {
        this.handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13, null, false,
                new DefaultHttpHeaders(), MAX_FRAME);
        this.ready = ready;
        this.onFrame = onFrame;
    }

    /** Connects and starts the handshake; {@code ready} completes with the channel once the 101 arrived. */
    static WsConn open(EventLoopGroup group, URI uri, Promise<Channel> ready, BiConsumer<WsConn, WebSocketFrame> onFrame) {
        WsConn conn = new WsConn(uri, ready, onFrame);
        ChannelFuture f = new Bootstrap().group(group).channel(Net.socket())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536), conn);
                    }
                })
                .connect(uri.getHost(), uri.getPort());
        conn.channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                ready.tryFailure(done.cause());
            }
        });
        return conn;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        handshaker.handshake(ctx.channel()).addListener(f -> {
            if (!f.isSuccess()) {
                ready.tryFailure(f.cause());
            }
        });
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (!handshaker.isHandshakeComplete()) {
            try {
                handshaker.finishHandshake(ctx.channel(), (FullHttpResponse) msg);
                ready.trySuccess(ctx.channel());
            } catch (RuntimeException e) {
                ready.tryFailure(e);
                ctx.close();
            }
            return;
        }
        if (msg instanceof WebSocketFrame frame) {
            onFrame.accept(this, frame);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ready.tryFailure(new IllegalStateException("closed before the handshake completed"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ready.tryFailure(cause);
        ctx.close();
    }
}
