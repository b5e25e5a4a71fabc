package io.ferry.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The listen parameters, read back from the sockets the epoll transport binds with them. */
@Timeout(60)
class SocketOptionsTest {
    private record Plan(InetSocketAddress address, SocketOptions options) {
    }

    private EventLoopGroup group;
    private ListenerSet<Plan> set;
    private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();

    @BeforeEach
    void create() {
        assumeTrue(Transport.isNative(), "socket options are read back through the epoll transport");
        group = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlerFactory());
        set = new ListenerSet<>(group, EpollServerSocketChannel.class, Plan::address, Plan::options,
                (listener, ch) -> accepted.add(ch));
    }

    @AfterEach
    void close() {
        if (set != null) {
            set.closeAll();
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private Channel bind(String host, SocketOptions options) throws Exception {
        set.prepare(Map.of("x", new Plan(new InetSocketAddress(host, 0), options))).commit();
        return set.listeners().get(0);
    }

    private static SocketOptions with(int backlog, int rcvbuf, int sndbuf, boolean ipv6only, boolean reuseport,
                                      Boolean keepalive, int idle, int intvl, int cnt, boolean deferred, int fastopen) {
        return new SocketOptions(backlog, rcvbuf, sndbuf, ipv6only, reuseport, keepalive, idle, intvl, cnt, deferred, fastopen, true);
    }

    @Test
    void listeningSocketCarriesRcvbufReuseportDeferredAndFastopen() throws Exception {
        Channel ch = bind("127.0.0.1", with(100, 65536, -1, true, true, null, 0, 0, 0, true, 5));
        assertThat(ch.config().getOption(ChannelOption.SO_BACKLOG)).isEqualTo(100);
        assertThat(ch.config().getOption(ChannelOption.SO_RCVBUF)).isGreaterThanOrEqualTo(65536);
        assertThat(ch.config().getOption(EpollChannelOption.SO_REUSEPORT)).isTrue();
        assertThat(ch.config().getOption(EpollChannelOption.TCP_DEFER_ACCEPT)).isPositive();
        assertThat(ch.config().getOption(EpollChannelOption.TCP_FASTOPEN)).isEqualTo(5);
    }

    @Test
    void defaultsLeaveTheSystemsChoices() throws Exception {
        Channel ch = bind("127.0.0.1", SocketOptions.DEFAULT);
        assertThat(ch.config().getOption(ChannelOption.SO_BACKLOG)).isEqualTo(SocketOptions.DEFAULT_BACKLOG);
        // every listener shares its port with the process that takes over on -s upgrade
        assertThat(ch.config().getOption(EpollChannelOption.SO_REUSEPORT)).isTrue();
        assertThat(ch.config().getOption(EpollChannelOption.TCP_DEFER_ACCEPT)).isZero();
    }

    @Test
    void acceptedConnectionsGetKeepaliveTimingsAndSendBuffer() throws Exception {
        Channel ch = bind("127.0.0.1", with(511, -1, 32768, true, false, true, 30, 10, 3, false, -1));
        try (Socket s = new Socket()) {
            s.connect(ch.localAddress(), 10_000);
            Channel c = accepted.poll(10, TimeUnit.SECONDS);
            assertThat(c).isNotNull();
            assertThat(c.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
            assertThat(c.config().getOption(EpollChannelOption.TCP_KEEPIDLE)).isEqualTo(30);
            assertThat(c.config().getOption(EpollChannelOption.TCP_KEEPINTVL)).isEqualTo(10);
            assertThat(c.config().getOption(EpollChannelOption.TCP_KEEPCNT)).isEqualTo(3);
            assertThat(c.config().getOption(ChannelOption.SO_SNDBUF)).isGreaterThanOrEqualTo(32768);
            c.close();
        }
    }

    @Test
    void ipv6onlyIsSetOnTheIpv6Wildcard() throws Exception {
        Channel only = bind("::", SocketOptions.DEFAULT);
        assertThat(only.config().getOption(SocketOptions.IPV6_V6ONLY)).isEqualTo(1);
        set.closeAll();
        Channel dual = bind("::", with(511, -1, -1, false, false, null, 0, 0, 0, false, -1));
        assertThat(dual.config().getOption(SocketOptions.IPV6_V6ONLY)).isZero();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", ((InetSocketAddress) dual.localAddress()).getPort()), 10_000);
            assertThat(accepted.poll(10, TimeUnit.SECONDS)).as("IPv4 reaches a dual-stack socket").isNotNull();
        }
    }
}
