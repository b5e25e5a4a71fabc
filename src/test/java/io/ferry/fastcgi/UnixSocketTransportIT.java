package io.ferry.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.upstream.UpstreamConnector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** fastcgi_pass unix:PATH connects beside an epoll client connection and beside a NIO one (JDK 16+ sockets). */
@Timeout(30)
class UnixSocketTransportIT {
    @TempDir
    Path dir;

    @Test
    void nioEventLoopsReachAUnixSocket() throws Exception {
        assertThat(roundTrip(NioIoHandler.newFactory(), new NioSocketChannel())).isEqualTo("pong");
    }

    @Test
    void epollEventLoopsReachAUnixSocket() throws Exception {
        assertThat(Epoll.isAvailable()).as("the native transport ships for linux-x86_64").isTrue();
        assertThat(roundTrip(EpollIoHandler.newFactory(), new EpollSocketChannel())).isEqualTo("pong");
    }

    private String roundTrip(IoHandlerFactory factory, Channel downstream) throws Exception {
        Path socket = dir.resolve("t-" + System.nanoTime() + ".sock");
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, factory);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = new Thread(() -> {
                try (SocketChannel s = server.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(4);
                    while (in.hasRemaining() && s.read(in) >= 0) {
                        // "ping"
                    }
                    s.write(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));
                } catch (Exception ignored) {
                    // the test fails on its own
                }
            });
            acceptor.start();
            group.register(downstream).sync();
            CompletableFuture<String> answer = new CompletableFuture<>();
            ChannelFuture f = UpstreamConnector.connectUnix(downstream, socket.toString(), Duration.ofSeconds(5),
                    new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ByteBuf b = (ByteBuf) msg;
                                    answer.complete(b.toString(StandardCharsets.US_ASCII));
                                    b.release();
                                }
                            });
                        }
                    });
            Channel ch = f.sync().channel();
            ch.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII));
            ch.read();
            String result = answer.get(10, TimeUnit.SECONDS);
            ch.close().sync();
            acceptor.join(5000);
            return result;
        } finally {
            downstream.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
