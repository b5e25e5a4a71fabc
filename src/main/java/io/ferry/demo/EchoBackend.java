package io.ferry.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo backend shipped with Ferry: echoes WebSocket messages on any path and describes every other
 * HTTP request in a one-line text answer. Integration tests use it as the upstream for proxied traffic.
 */
public final class EchoBackend implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EchoBackend.class);
    private static final int MAX_HTTP_BODY = 1024 * 1024;
    private static final int MAX_WEBSOCKET_MESSAGE = 64 * 1024 * 1024;
    private static final String SUBPROTOCOLS = "chat";

    private final EventLoopGroup group;
    private final Channel server;
    private final List<HandshakeRecord> handshakes;
    private final List<Integer> closeCodes;

    /** A WebSocket opening handshake as the backend received it; {@code headers} is a private copy. */
    public record HandshakeRecord(String uri, HttpHeaders headers) {
    }

    private EchoBackend(EventLoopGroup group, Channel server, List<HandshakeRecord> handshakes, List<Integer> closeCodes) {
        this.closeCodes = closeCodes;
        this.group = group;
        this.server = server;
        this.handshakes = handshakes;
    }

    public static EchoBackend start(InetSocketAddress bind) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        List<HandshakeRecord> handshakes = new CopyOnWriteArrayList<>();
        List<Integer> closeCodes = new CopyOnWriteArrayList<>();
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(
                                    new HttpServerCodec(),
                                    new HttpObjectAggregator(MAX_HTTP_BODY),
                                    new HttpHandler(handshakes, closeCodes));
                        }
                    })
                    .bind(bind).sync().channel();
            return new EchoBackend(group, server, handshakes, closeCodes);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public List<HandshakeRecord> handshakes() {
        return List.copyOf(handshakes);
    }

    /** The status code of every close frame a client sent, in arrival order. */
    public List<Integer> closeCodes() {
        return List.copyOf(closeCodes);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final List<HandshakeRecord> handshakes;
        private final List<Integer> closeCodes;

        HttpHandler(List<HandshakeRecord> handshakes, List<Integer> closeCodes) {
            this.handshakes = handshakes;
            this.closeCodes = closeCodes;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!request.decoderResult().isSuccess()) {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "bad request\n", false);
            } else if (isWebSocketUpgrade(request.headers())) {
                upgrade(ctx, request);
            } else {
                String body = "ferry demo backend: " + request.method() + " " + request.uri() + "\n";
                respond(ctx, request, HttpResponseStatus.OK, body, HttpUtil.isKeepAlive(request));
            }
        }

        private static boolean isWebSocketUpgrade(HttpHeaders headers) {
            return headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                    && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
        }

        private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request) {
            WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                    request.uri(), SUBPROTOCOLS, false, MAX_WEBSOCKET_MESSAGE).newHandshaker(request);
            if (handshaker == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            handshakes.add(new HandshakeRecord(request.uri(), request.headers().copy()));
            try {
                handshaker.handshake(ctx.channel(), request).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            } catch (WebSocketHandshakeException e) {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n", false);
                return;
            }
            ctx.pipeline().addAfter(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(MAX_WEBSOCKET_MESSAGE));
            ctx.pipeline().addAfter("ws-aggregator", "ws-echo", new WebSocketEcho(closeCodes));
            ctx.pipeline().remove(this);
        }

        private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                                    String body, boolean keepAlive) {
            FullHttpResponse response = new DefaultFullHttpResponse(
                    request.protocolVersion(), status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            HttpUtil.setKeepAlive(response, keepAlive);
            ChannelFuture written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("demo backend connection failed", cause);
            ctx.close();
        }
    }

    private static final class WebSocketEcho extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final List<Integer> closeCodes;

        WebSocketEcho(List<Integer> closeCodes) {
            this.closeCodes = closeCodes;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof CloseWebSocketFrame close) {
                closeCodes.add(close.statusCode());
                // Echoing the raw payload returns exactly the status code and reason the peer sent.
                ctx.writeAndFlush(new CloseWebSocketFrame(true, 0, frame.content().retain()))
                        .addListener(ChannelFutureListener.CLOSE);
            } else if (frame instanceof PingWebSocketFrame) {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
            } else if (!(frame instanceof PongWebSocketFrame)) {
                ctx.writeAndFlush(frame.retain());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("demo backend WebSocket failed", cause);
            ctx.close();
        }
    }
}
