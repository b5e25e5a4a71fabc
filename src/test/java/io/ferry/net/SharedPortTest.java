package io.ferry.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.testing.FerryInstance;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every listener has SO_REUSEPORT so that an upgrade can bind beside the running process, yet a second server
 * on a taken port still fails as nginx's bind does, unless it is taking over (or asked for reuseport). On the
 * transport HTTP listens with (epoll on Linux).
 */
@Timeout(60)
class SharedPortTest {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlerFactory());
    private final BlockingQueue<String> accepted = new LinkedBlockingQueue<>();
    private final int port = FerryInstance.freePort();

    @AfterEach
    void close() {
        ListenerSet.takeOver(false);
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private ListenerSet<String> set(SocketOptions options) {
        return set(options, group, Transport.serverChannel());
    }

    private ListenerSet<String> set(SocketOptions options, EventLoopGroup group, Class<? extends ServerChannel> type) {
        return new ListenerSet<>(group, type, label -> new InetSocketAddress("127.0.0.1", port),
                label -> options, (listener, ch) -> {
                    accepted.add(listener.plan());
                    ch.close();
                });
    }

    private static void bind(ListenerSet<String> set, String label) throws Exception {
        set.prepare(Map.of("127.0.0.1:port", label)).commit();
    }

    private String connectAndSeeWhoAccepts() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        }
        return accepted.poll(10, TimeUnit.SECONDS);
    }

    @Test
    void aSecondServerOnATakenPortFailsAsNginxDoes() throws Exception {
        ListenerSet<String> running = set(SocketOptions.DEFAULT);
        bind(running, "running");
        ListenerSet<String> second = set(SocketOptions.DEFAULT);
        assertThatThrownBy(() -> bind(second, "second"))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("bind() to 127.0.0.1:" + port + " failed (")
                .hasMessageContaining("Address already in use");
        assertThat(connectAndSeeWhoAccepts()).isEqualTo("running");
        running.closeAll();
    }

    @Test
    void aTakeOverBindsBesideTheRunningSocketAndServesOnceItCloses() throws Exception {
        ListenerSet<String> running = set(SocketOptions.DEFAULT);
        bind(running, "running");
        ListenerSet.takeOver(true);
        ListenerSet<String> next = set(SocketOptions.DEFAULT);
        bind(next, "next");
        ListenerSet.takeOver(false);
        running.closeAll();
        for (int i = 0; i < 20; i++) {
            assertThat(connectAndSeeWhoAccepts()).as("connection %d", i).isEqualTo("next");
        }
        next.closeAll();
    }

    /** Where the native transport does not load, listeners are NIO sockets. */
    @Test
    void aTakeOverOnNioSocketsToo() throws Exception {
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            ListenerSet<String> running = set(SocketOptions.DEFAULT, nio, NioServerSocketChannel.class);
            bind(running, "running");
            assertThatThrownBy(() -> bind(set(SocketOptions.DEFAULT, nio, NioServerSocketChannel.class), "second"))
                    .hasMessageContaining("Address already in use");
            ListenerSet.takeOver(true);
            ListenerSet<String> next = set(SocketOptions.DEFAULT, nio, NioServerSocketChannel.class);
            bind(next, "next");
            ListenerSet.takeOver(false);
            running.closeAll();
            assertThat(connectAndSeeWhoAccepts()).isEqualTo("next");
            next.closeAll();
        } finally {
            nio.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    @Test
    void listenReuseportSharesWithoutATakeOver() throws Exception {
        SocketOptions reuseport = new SocketOptions(SocketOptions.DEFAULT_BACKLOG, -1, -1, true, true, null, 0, 0, 0,
                false, -1, false);
        ListenerSet<String> first = set(reuseport);
        bind(first, "first");
        ListenerSet<String> second = set(reuseport);
        bind(second, "second");
        first.closeAll();
        assertThat(connectAndSeeWhoAccepts()).isEqualTo("second");
        second.closeAll();
    }
}
