package io.ferry.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
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
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 upstream for proxy tests. It streams request bodies instead of aggregating them, so tests can
 * push many MiB through, and records each request with the length and SHA-256 of the body it received.
 * Request headers steer the answer: {@code X-Reply-Status}, {@code X-Reply-Chunked: 1},
 * {@code X-Backend-Close: 1} (close the connection after a keep-alive answer), and
 * {@code X-Reply-Hop: 1} (adds hop-by-hop headers a proxy must strip, next to {@code X-End-To-End: yes}).
 */
public final class HttpEchoBackend implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel server;
    private final List<Recorded> requests = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    public record Recorded(String method, String uri, String protocol, HttpHeaders headers, long bodyLength,
                           String bodySha256Hex, boolean chunked) {
    }

    private HttpEchoBackend() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.incrementAndGet();
                            ch.pipeline().addLast(
                                    new HttpServerCodec(),
                                    new HttpServerExpectContinueHandler(),
                                    new EchoHandler());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public static HttpEchoBackend start() throws InterruptedException {
        return new HttpEchoBackend();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public List<Recorded> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public Recorded last() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (requests) {
            try {
                long remaining;
                while (requests.isEmpty() && (remaining = deadline - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(requests, remaining);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for a request", e);
            }
            if (requests.isEmpty()) {
                throw new AssertionError("the backend received no request within 10 s");
            }
            return requests.get(requests.size() - 1);
        }
    }

    public int connections() {
        return connections.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void record(Recorded request) {
        synchronized (requests) {
            requests.add(request);
            requests.notifyAll();
        }
    }

    private final class EchoHandler extends SimpleChannelInboundHandler<HttpObject> {
        private HttpRequest request;
        private MessageDigest digest;
        private long bodyLength;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg.decoderResult().isFailure()) {
                HttpResponse bad = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST);
                HttpUtil.setContentLength(bad, 0);
                ctx.writeAndFlush(bad).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (msg instanceof HttpRequest started) {
                request = started;
                digest = sha256();
                bodyLength = 0;
            }
            if (msg instanceof HttpContent content) {
                ByteBuf data = content.content();
                digest.update(data.nioBuffer());
                bodyLength += data.readableBytes();
                if (content instanceof LastHttpContent) {
                    String hash = HexFormat.of().formatHex(digest.digest());
                    record(new Recorded(request.method().name(), request.uri(), request.protocolVersion().text(),
                            request.headers().copy(), bodyLength, hash,
                            HttpUtil.isTransferEncodingChunked(request)));
                    respond(ctx, hash);
                }
            }
        }

        private void respond(ChannelHandlerContext ctx, String hash) {
            HttpHeaders in = request.headers();
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            byte[] body = (request.method() + " " + request.uri() + "\n"
                    + "length=" + bodyLength + " sha256=" + hash + "\n").getBytes(StandardCharsets.UTF_8);
            HttpResponseStatus status = in.contains("X-Reply-Status")
                    ? HttpResponseStatus.valueOf(in.getInt("X-Reply-Status"))
                    : HttpResponseStatus.OK;

            HttpResponse response = new DefaultHttpResponse(request.protocolVersion(), status);
            HttpHeaders out = response.headers();
            out.set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            List<String> connection = new ArrayList<>();
            if ("1".equals(in.get("X-Reply-Hop"))) {
                connection.add("X-Secret-Hop");
                out.set("X-Secret-Hop", "1")
                        .set("Keep-Alive", "timeout=5")
                        .set("Proxy-Connection", "keep-alive")
                        .set(HttpHeaderNames.UPGRADE, "h2c")
                        .set(HttpHeaderNames.TRAILER, "X-T")
                        .set("X-End-To-End", "yes");
            }
            if (!keepAlive) {
                connection.add("close");
            } else if (!request.protocolVersion().isKeepAliveDefault()) {
                connection.add("keep-alive");
            }
            if (!connection.isEmpty()) {
                out.set(HttpHeaderNames.CONNECTION, String.join(", ", connection));
            }
            ChannelFuture done;
            if ("1".equals(in.get("X-Reply-Chunked"))) {
                HttpUtil.setTransferEncodingChunked(response, true);
                int half = body.length / 2;
                ctx.write(response);
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(body, 0, half)));
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(body, half, body.length - half)));
                done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } else {
                HttpUtil.setContentLength(response, body.length);
                ctx.write(response);
                done = ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(body)));
            }
            // X-Backend-Close: 1 closes after a keep-alive answer, as a backend whose idle timer fires would.
            if (!keepAlive || "1".equals(in.get("X-Backend-Close"))) {
                done.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
