package io.ferry.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Java backends behind both proxies and the direct path, on epoll, never aggregating:
 * HTTP ({@code GET /64k} answers 64 KiB, {@code GET /1k} 1 KiB, any other GET a short text, any POST is read and thrown
 * away and answered "ok" when its last byte arrived), WebSocket echo on any upgrade request
 * (frames decoded and re-sent, server frames unmasked), and on a second port a TCP source that
 * writes bytes as fast as the reader takes them (for the stream tunnel test).
 */
final class Backend {
    private static final int MAX_FRAME = 1 << 20;
    private static final ByteBuf BODY_64K = constant(64 * 1024);
    private static final ByteBuf BODY_1K = constant(1024);
    private static final ByteBuf BODY_SMALL = Unpooled.unreleasableBuffer(Unpooled.directBuffer()
            .writeBytes("hello from the java backend\n".getBytes(StandardCharsets.US_ASCII)));
    private static final ByteBuf BODY_OK = Unpooled.unreleasableBuffer(Unpooled.directBuffer()
            .writeBytes("ok\n".getBytes(StandardCharsets.US_ASCII)));
    private static final ByteBuf SOURCE_CHUNK = constant(128 * 1024);

    private Backend() {
    }

    private static ByteBuf constant(int size) {
        byte[] b = new byte[size];
        ThreadLocalRandom.current().nextBytes(b);
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(size).writeBytes(b));
    }

    static void run(Args args) throws Exception {
        int httpPort = args.integer("http", 0);
        int tcpPort = args.integer("tcp", 0);
        EventLoopGroup group = Net.group(args.integer("threads", 2));
        if (httpPort > 0) {
            bind(group, httpPort, new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast("http", new HttpServerCodec());
                    ch.pipeline().addLast("app", new HttpHandler());
                }
            });
        }
        if (tcpPort > 0) {
            bind(group, tcpPort, new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new Source());
                }
            });
        }
        System.out.println("backend ready http=" + httpPort + " tcp=" + tcpPort);
        Thread.currentThread().join();
    }

    private static void bind(EventLoopGroup group, int port, ChannelInitializer<SocketChannel> init) throws InterruptedException {
        new ServerBootstrap().group(group).channel(Net.server())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init)
                .bind(new InetSocketAddress("127.0.0.1", port)).sync();
    }

    private static final class HttpHandler extends ChannelInboundHandlerAdapter {
        private HttpRequest request;
        private boolean upgraded;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (upgraded) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest req) {
                request = req;
                if (req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
                    upgrade(ctx, req);
                    ReferenceCountUtil.release(msg);
                    return;
                }
            }
            if (msg instanceof HttpContent content) {
                content.release();
                if (content instanceof LastHttpContent && request != null) {
                    respond(ctx, request);
                    request = null;
                }
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest req) {
            ByteBuf body = req.method().equals(HttpMethod.POST) ? BODY_OK
                    : req.uri().startsWith("/64k") ? BODY_64K : req.uri().startsWith("/1k") ? BODY_1K : BODY_SMALL;
            FullHttpResponse res = new DefaultFullHttpResponse(req.protocolVersion(), HttpResponseStatus.OK, body.duplicate());
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            if (keepAlive) {
                ctx.write(res);
            } else {
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        private void upgrade(ChannelHandlerContext ctx, HttpRequest req) {
            FullHttpRequest full = new DefaultFullHttpRequest(req.protocolVersion(), req.method(), req.uri(),
                    Unpooled.EMPTY_BUFFER, req.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
            WebSocketServerHandshaker hs = new WebSocketServerHandshakerFactory(
                    "ws://backend" + req.uri(), null, false, MAX_FRAME).newHandshaker(full);
            if (hs == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            upgraded = true;
            Channel ch = ctx.channel();
            hs.handshake(ch, full).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            ch.pipeline().replace(this, "echo", new Echo());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Echoes data frames as they are; answers ping and close. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
                ctx.write(msg);
            } else if (msg instanceof PingWebSocketFrame ping) {
                ctx.write(new PongWebSocketFrame(ping.content()));
            } else if (msg instanceof CloseWebSocketFrame close) {
                ctx.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Writes a constant chunk while the socket is writable; discards anything it reads. */
    private static final class Source extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            fill(ctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            fill(ctx);
        }

        private void fill(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            while (ch.isActive() && ch.isWritable()) {
                ctx.write(SOURCE_CHUNK.duplicate()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
            ctx.flush();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
