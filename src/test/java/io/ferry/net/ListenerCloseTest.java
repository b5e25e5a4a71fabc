package io.ferry.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing an accepting socket (quit, or a reload that drops it) on the native transport: the connections the kernel
 * has queued on it by then are served, not reset. The event loop is held busy while clients connect, so they are
 * still queued when the close runs, as under load.
 */
@Timeout(60)
class ListenerCloseTest {
    private static final int CLIENTS = 5;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());

    @AfterEach
    void shutDown() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Test
    void connectionsQueuedWhenTheSocketClosesAreServed() throws Exception {
        ListenerSet<InetSocketAddress> set = new ListenerSet<>(group, EpollServerSocketChannel.class, a -> a,
                a -> SocketOptions.DEFAULT, (listener, ch) -> ch.writeAndFlush(Unpooled.copiedBuffer("served",
                        StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE));
        set.prepare(Map.of("a", new InetSocketAddress("127.0.0.1", 0))).commit();
        int port = set.localAddresses().get(0).getPort();

        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        group.next().execute(() -> {
            busy.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                Socket s = new Socket();
                clients.add(s);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
                s.setSoTimeout(10_000);
            }
            // The close is queued behind the busy task and runs right after it, before the loop polls the socket.
            CompletableFuture<Void> closed = CompletableFuture.runAsync(set::closeAll);
            Thread.sleep(100);
            release.countDown();
            closed.get(10, TimeUnit.SECONDS);

            for (Socket s : clients) {
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .as("a connection queued at the close").isEqualTo("served");
            }
        } finally {
            release.countDown();
            for (Socket s : clients) {
                s.close();
            }
        }
    }
}
