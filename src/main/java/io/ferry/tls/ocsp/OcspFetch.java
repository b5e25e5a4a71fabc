package io.ferry.tls.ocsp;

import io.ferry.tls.ocsp.OcspResponses.OcspFailure;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * One OCSP GET over HTTP/1.0, as nginx's ngx_ssl_ocsp_request makes it: a connection of its own,
 * closed by the responder after the answer (single-threaded responders such as `openssl ocsp` serve
 * one connection at a time), which must be 200 with type application/ocsp-response.
 */
final class OcspFetch {
    private static final int TIMEOUT_SECONDS = 60;
    private static final int MAX_RESPONSE = 1024 * 1024;
    /** Responders that end lines with a bare LF are answered by nginx too. */
    private static final HttpDecoderConfig LENIENT = new HttpDecoderConfig().setStrictLineParsing(false);
    private static EventLoopGroup loops;

    private OcspFetch() {
    }

    /** The response's body, or an {@link OcspFailure} saying why there is none. */
    static CompletableFuture<byte[]> get(URI uri) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        Bootstrap bootstrap = new Bootstrap().group(loops()).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, TIMEOUT_SECONDS * 1000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(TIMEOUT_SECONDS),
                                new HttpClientCodec(LENIENT, false, false),
                                new HttpObjectAggregator(MAX_RESPONSE), new Answer(result));
                    }
                });
        bootstrap.connect(uri.getHost(), port).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new OcspFailure("connect() failed: " + f.cause().getMessage()));
                return;
            }
            FullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, uri.getRawPath());
            get.headers().set(HttpHeaderNames.HOST, uri.getHost());
            f.channel().writeAndFlush(get);
        });
        return result;
    }

    private static synchronized EventLoopGroup loops() {
        if (loops == null) {
            loops = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("ferry-ocsp", true),
                    NioIoHandler.newFactory());
        }
        return loops;
    }

    private static final class Answer extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final CompletableFuture<byte[]> result;

        Answer(CompletableFuture<byte[]> result) {
            this.result = result;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            ctx.close();
            if (!response.decoderResult().isSuccess()) {
                result.completeExceptionally(new OcspFailure("OCSP responder sent invalid response"));
            } else if (response.status().code() != 200) {
                result.completeExceptionally(new OcspFailure("OCSP responder sent invalid status \""
                        + response.status() + "\""));
            } else if (!"application/ocsp-response".equalsIgnoreCase(
                    response.headers().get(HttpHeaderNames.CONTENT_TYPE, ""))) {
                result.completeExceptionally(new OcspFailure("OCSP responder sent invalid \"Content-Type\" header: \""
                        + response.headers().get(HttpHeaderNames.CONTENT_TYPE, "") + "\""));
            } else {
                result.complete(ByteBufUtil.getBytes(response.content()));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(new OcspFailure("OCSP responder failed: " + cause));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new OcspFailure("OCSP responder prematurely closed connection"));
        }
    }
}
