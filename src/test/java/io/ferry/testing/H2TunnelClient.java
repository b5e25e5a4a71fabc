package io.ferry.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client on Netty's codec for RFC 8441 tests: one connection (prior knowledge, or TLS with
 * ALPN h2), streams opened on it whose frames queue up for the test, WebSocket frames built and read
 * as a browser would send and get them.
 */
public final class H2TunnelClient implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final CompletableFuture<Http2Settings> serverSettings = new CompletableFuture<>();
    private final Channel parent;

    private H2TunnelClient(int port, boolean tls) throws Exception {
        SslContext ssl = tls ? SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
                .build() : null;
        parent = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (ssl != null) {
                    ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "localhost", port));
                }
                ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build());
                ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof Http2SettingsFrame s) {
                            serverSettings.complete(s.settings());
                        }
                        ReferenceCountUtil.release(msg);
                    }
                });
            }
        }).connect("127.0.0.1", port).sync().channel();
    }

    public static H2TunnelClient connect(int port, boolean tls) throws Exception {
        return new H2TunnelClient(port, tls);
    }

    /** The server's first SETTINGS. */
    public Http2Settings serverSettings() throws Exception {
        return serverSettings.get(10, TimeUnit.SECONDS);
    }

    /** An RFC 8441 opening: CONNECT with :protocol websocket. */
    public static Http2Headers websocket(String authority, String path) {
        Http2Headers h = new DefaultHttp2Headers().method("CONNECT").scheme("https").path(path).authority(authority);
        h.set(":protocol", "websocket");
        h.set("sec-websocket-version", "13");
        return h;
    }

    public Stream open(Http2Headers headers, boolean endStream, boolean autoRead) throws Exception {
        Stream stream = new Stream();
        Http2StreamChannel ch = new Http2StreamChannelBootstrap(parent).handler(stream).option(
                io.netty.channel.ChannelOption.AUTO_READ, autoRead).open().sync().getNow();
        stream.ch = ch;
        ch.writeAndFlush(new DefaultHttp2HeadersFrame(headers, endStream)).sync();
        return stream;
    }

    @Override
    public void close() {
        parent.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** One stream: what arrives on it, in order (HEADERS, DATA bytes, the end, a reset). */
    public static final class Stream extends ChannelInboundHandlerAdapter {
        private final BlockingQueue<Object> in = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private Http2StreamChannel ch;
        private boolean ended;
        private Http2Error reset;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame h) {
                in.add(h);
            } else if (msg instanceof Http2DataFrame d) {
                in.add(ByteBufUtil.getBytes(d.content()));
                if (d.isEndStream()) {
                    in.add("END");
                }
                d.release();
            } else if (msg instanceof Http2ResetFrame r) {
                in.add(r);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            in.add("CLOSED");
        }

        public Http2StreamChannel channel() {
            return ch;
        }

        /** The response head (skipping nothing: it must be the first frame). */
        public Http2Headers head() throws InterruptedException {
            Object first = in.poll(10, TimeUnit.SECONDS);
            if (!(first instanceof Http2HeadersFrame h)) {
                throw new AssertionError("expected HEADERS, got " + first);
            }
            if (h.isEndStream()) {
                ended = true;
            }
            return h.headers();
        }

        /** Exactly {@code n} body bytes, across DATA frames. */
        public byte[] read(int n) throws InterruptedException {
            while (pending.size() < n) {
                Object next = in.poll(10, TimeUnit.SECONDS);
                if (!(next instanceof byte[] bytes)) {
                    throw new AssertionError("expected DATA, got " + next + " after " + pending.size() + " bytes");
                }
                pending.writeBytes(bytes);
            }
            byte[] all = pending.toByteArray();
            pending.reset();
            pending.write(all, n, all.length - n);
            return java.util.Arrays.copyOf(all, n);
        }

        /** What ends the stream from the server's side: "END" (END_STREAM), a reset's error, or "CLOSED". */
        public String end() throws InterruptedException {
            if (ended) {
                return "END";
            }
            while (true) {
                Object next = in.poll(10, TimeUnit.SECONDS);
                if (next == null) {
                    return "TIMEOUT";
                }
                if (next instanceof String s) {
                    return s;
                }
                if (next instanceof Http2ResetFrame r) {
                    reset = Http2Error.valueOf(r.errorCode());
                    return "RST " + reset;
                }
            }
        }

        public void send(byte[] bytes, boolean endStream) {
            ch.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), endStream)).syncUninterruptibly();
        }

        public void reset() {
            ch.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL)).syncUninterruptibly();
        }

        /** Lets the server send {@code bytes} more on this stream (what a reading client does). */
        public void window(int bytes) {
            ch.writeAndFlush(new DefaultHttp2WindowUpdateFrame(bytes)).syncUninterruptibly();
        }
    }

    /** A client's WebSocket text frame: masked, as RFC 6455 §5.3 requires of clients. */
    public static byte[] maskedText(String text) {
        return masked(0x81, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A client's close frame with {@code code}. */
    public static byte[] maskedClose(int code) {
        return masked(0x88, new byte[] {(byte) (code >> 8), (byte) code});
    }

    private static byte[] masked(int first, byte[] payload) {
        if (payload.length > 125) {
            throw new IllegalArgumentException("short frames only");
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) first;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    /** A server's unmasked text frame for {@code text}, as it arrives. */
    public static byte[] text(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[2 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) payload.length;
        System.arraycopy(payload, 0, frame, 2, payload.length);
        return frame;
    }
}
