package io.ferry.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An HTTP/2 client that writes exactly the frames a test asks for, in order, with nothing of its own but the
 * preface, a SETTINGS frame and (optionally) the ACK of the server's SETTINGS: the attacker's side of the
 * defence tests, and a client that sees every frame the server sends. Frames are encoded and decoded by
 * Netty's frame writer and reader; only their order and timing are the test's.
 */
public final class H2FrameClient implements AutoCloseable {
    /**
     * A frame the server sent; fields a frame's type does not carry are 0 or null. {@code code} is the error
     * code of RST_STREAM and GOAWAY, a PING's data, a WINDOW_UPDATE's increment; {@code length} a DATA frame's
     * payload or a GOAWAY's debug data.
     */
    public record Frame(byte type, int streamId, short flags, long code, int lastStreamId, Http2Headers headers,
                        int length, Http2Settings settings) {
        public boolean endStream() {
            return new Http2Flags(flags).endOfStream();
        }

        public String status() {
            return headers == null || headers.status() == null ? null : headers.status().toString();
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(10);
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final Channel channel;
    private volatile ChannelHandlerContext ctx;

    private H2FrameClient(int port, boolean ackSettings) throws InterruptedException {
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new Reader(ackSettings), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void handlerAdded(ChannelHandlerContext c) {
                                ctx = c;
                            }
                        });
                    }
                })
                .connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }

    /** Connects and sends the preface and an empty SETTINGS frame; the server's SETTINGS are acknowledged. */
    public static H2FrameClient connect(int port) throws InterruptedException {
        return connect(port, new Http2Settings(), true);
    }

    public static H2FrameClient connect(int port, Http2Settings settings, boolean ackSettings) throws InterruptedException {
        H2FrameClient c = new H2FrameClient(port, ackSettings);
        c.raw(Http2CodecUtil.connectionPrefaceBuf());
        c.act(ctx -> c.writer.writeSettings(ctx, settings, ctx.newPromise()));
        return c;
    }

    /** A GET of {@code path} on {@code streamId}, END_STREAM on its HEADERS. */
    public H2FrameClient get(int streamId, String path) {
        return headers(streamId, request("GET", path), true);
    }

    public static Http2Headers request(String method, String path) {
        return new DefaultHttp2Headers().method(method).scheme("http").path(path).authority("localhost");
    }

    public H2FrameClient headers(int streamId, Http2Headers headers, boolean endStream) {
        return act(ctx -> writer.writeHeaders(ctx, streamId, headers, 0, endStream, ctx.newPromise()));
    }

    public H2FrameClient data(int streamId, byte[] bytes, boolean endStream) {
        return act(ctx -> writer.writeData(ctx, streamId, Unpooled.wrappedBuffer(bytes), 0, endStream, ctx.newPromise()));
    }

    public H2FrameClient rst(int streamId, long code) {
        return act(ctx -> writer.writeRstStream(ctx, streamId, code, ctx.newPromise()));
    }

    public H2FrameClient ping(long data) {
        return act(ctx -> writer.writePing(ctx, false, data, ctx.newPromise()));
    }

    public H2FrameClient settings(Http2Settings settings) {
        return act(ctx -> writer.writeSettings(ctx, settings, ctx.newPromise()));
    }

    public H2FrameClient windowUpdate(int streamId, int increment) {
        return act(ctx -> writer.writeWindowUpdate(ctx, streamId, increment, ctx.newPromise()));
    }

    /** A frame of any type with any payload, as written: CONTINUATION floods, frames the writer would refuse. */
    public H2FrameClient frame(byte type, int streamId, int flags, byte[] payload) {
        return act(ctx -> writer.writeFrame(ctx, type, streamId, new Http2Flags((short) flags),
                Unpooled.wrappedBuffer(payload), ctx.newPromise()));
    }

    public H2FrameClient continuation(int streamId, byte[] fragment, boolean endHeaders) {
        return frame(Http2FrameTypes.CONTINUATION, streamId, endHeaders ? 0x4 : 0, fragment);
    }

    /** Bytes as they are, e.g. part of a frame. */
    public H2FrameClient raw(ByteBuf bytes) {
        channel.writeAndFlush(bytes).syncUninterruptibly();
        return this;
    }

    /** Stops (or resumes) reading from the socket: a client that leaves the server's frames unread. */
    public void reading(boolean on) {
        channel.config().setAutoRead(on);
    }

    /** Whether every write so far reached the socket; false once the server has closed it. */
    public boolean writable() {
        return channel.isActive();
    }

    /** Writes what {@code frames} asks for as one batch, flushed once at its end: a flood arrives at full speed. */
    public H2FrameClient batch(Consumer<H2FrameClient> frames) {
        channel.eventLoop().submit(() -> {
            frames.accept(this);
            ctx.flush();
        }).syncUninterruptibly();
        return this;
    }

    private H2FrameClient act(Consumer<ChannelHandlerContext> write) {
        if (!channel.isActive()) {
            return this;
        }
        if (channel.eventLoop().inEventLoop()) {
            write.accept(ctx);
            return this;
        }
        channel.eventLoop().submit(() -> {
            write.accept(ctx);
            ctx.flush();
        }).syncUninterruptibly();
        return this;
    }

    /** The next frame the server sent that matches, the others before it dropped; fails after 10 s. */
    public Frame await(Predicate<Frame> wanted) throws InterruptedException {
        return await(wanted, WAIT);
    }

    public Frame await(Predicate<Frame> wanted, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        for (;;) {
            long left = deadline - System.nanoTime();
            Frame f = left > 0 ? frames.poll(left, TimeUnit.NANOSECONDS) : null;
            if (f == null) {
                throw new AssertionError("no such frame within " + within + (channel.isActive() ? "" : "; connection closed"));
            }
            if (wanted.test(f)) {
                return f;
            }
        }
    }

    public Frame awaitType(byte type) throws InterruptedException {
        return await(f -> f.type() == type);
    }

    /** The frames received and not yet awaited, without waiting. */
    public List<Frame> drain() {
        List<Frame> out = new java.util.ArrayList<>();
        frames.drainTo(out);
        return out;
    }

    /** Waits for the server to close the connection; false if it is still open after {@code within}. */
    public boolean awaitClosed(Duration within) {
        return channel.closeFuture().awaitUninterruptibly(within.toMillis());
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Turns the server's bytes into {@link Frame}s with Netty's frame reader. */
    private final class Reader extends ByteToMessageDecoder {
        private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader(new DefaultHttp2HeadersDecoder(false));
        private final boolean ackSettings;

        Reader(boolean ackSettings) {
            this.ackSettings = ackSettings;
        }

        @Override
        protected void decode(ChannelHandlerContext c, ByteBuf in, List<Object> out) throws Http2Exception {
            reader.readFrame(c, in, new Listener());
        }

        private final class Listener implements Http2FrameListener {
            private void add(byte type, int id, int flags, long code, int last, Http2Headers h, int len, Http2Settings s) {
                frames.add(new Frame(type, id, (short) flags, code, last, h, len, s));
            }

            @Override
            public int onDataRead(ChannelHandlerContext c, int id, ByteBuf data, int padding, boolean end) {
                add(Http2FrameTypes.DATA, id, end ? 1 : 0, 0, 0, null, data.readableBytes(), null);
                return data.readableBytes() + padding;
            }

            @Override
            public void onHeadersRead(ChannelHandlerContext c, int id, Http2Headers h, int padding, boolean end) {
                add(Http2FrameTypes.HEADERS, id, end ? 1 : 0, 0, 0, h, 0, null);
            }

            @Override
            public void onHeadersRead(ChannelHandlerContext c, int id, Http2Headers h, int dep, short weight,
                                      boolean excl, int padding, boolean end) {
                onHeadersRead(c, id, h, padding, end);
            }

            @Override
            public void onPriorityRead(ChannelHandlerContext c, int id, int dep, short weight, boolean excl) {
            }

            @Override
            public void onRstStreamRead(ChannelHandlerContext c, int id, long code) {
                add(Http2FrameTypes.RST_STREAM, id, 0, code, 0, null, 0, null);
            }

            @Override
            public void onSettingsAckRead(ChannelHandlerContext c) {
                add(Http2FrameTypes.SETTINGS, 0, 1, 0, 0, null, 0, null);
            }

            @Override
            public void onSettingsRead(ChannelHandlerContext c, Http2Settings s) {
                add(Http2FrameTypes.SETTINGS, 0, 0, 0, 0, null, 0, s);
                if (ackSettings) {
                    writer.writeSettingsAck(c, c.newPromise());
                    c.flush();
                }
            }

            @Override
            public void onPingRead(ChannelHandlerContext c, long data) {
                add(Http2FrameTypes.PING, 0, 0, data, 0, null, 0, null);
            }

            @Override
            public void onPingAckRead(ChannelHandlerContext c, long data) {
                add(Http2FrameTypes.PING, 0, 1, data, 0, null, 0, null);
            }

            @Override
            public void onPushPromiseRead(ChannelHandlerContext c, int id, int promised, Http2Headers h, int padding) {
            }

            @Override
            public void onGoAwayRead(ChannelHandlerContext c, int last, long code, ByteBuf debug) {
                add(Http2FrameTypes.GO_AWAY, 0, 0, code, last, null, debug.readableBytes(), null);
            }

            @Override
            public void onWindowUpdateRead(ChannelHandlerContext c, int id, int increment) {
                add(Http2FrameTypes.WINDOW_UPDATE, id, 0, increment, 0, null, 0, null);
            }

            @Override
            public void onUnknownFrame(ChannelHandlerContext c, byte type, int id, Http2Flags flags, ByteBuf payload) {
            }
        }
    }
}
