package io.ferry.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reload's socket handling on real ephemeral ports: new sockets are bound before anything
 * changes, commit swaps plans on the sockets that stay and closes those that go, cancel and a
 * failed bind leave the running set as it was.
 */
@Timeout(60)
class ListenerSetTest {
    /** Server channels this test's ListenerSet created, to check that none is left open. */
    public static final class TrackedServerChannel extends NioServerSocketChannel {
        static final Queue<TrackedServerChannel> CREATED = new ConcurrentLinkedQueue<>();

        public TrackedServerChannel() {
            CREATED.add(this);
        }
    }

    /** A plan names the address to bind (port 0: ephemeral) and a label the acceptor reports. */
    private record Plan(String label, InetSocketAddress address) {
        static Plan of(String label) {
            return new Plan(label, new InetSocketAddress("127.0.0.1", 0));
        }
    }

    private EventLoopGroup group;
    private ListenerSet<Plan> set;
    private final BlockingQueue<String> acceptedWithPlan = new LinkedBlockingQueue<>();

    @BeforeEach
    void create() {
        TrackedServerChannel.CREATED.clear();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        set = new ListenerSet<>(group, TrackedServerChannel.class, Plan::address, p -> SocketOptions.DEFAULT, (listener, ch) -> {
            acceptedWithPlan.add(listener.plan().label());
            ch.close();
        });
    }

    @AfterEach
    void close() {
        set.closeAll();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        assertThat(TrackedServerChannel.CREATED).allMatch(ch -> !ch.isOpen());
    }

    /** The plan label of the listener that accepted a connection to {@code port}. */
    private String planServing(int port) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        }
        String label = acceptedWithPlan.poll(10, TimeUnit.SECONDS);
        assertThat(label).as("a connection to port %d was accepted", port).isNotNull();
        return label;
    }

    /**
     * Whether nothing listens on the port any more: it can be bound again within 5 s. NIO closes a
     * listening socket still registered with a selector only once the selector drops its key, a
     * moment after the channel reports closed; a connection attempt would not show it either (on
     * loopback a connect to a free ephemeral port can be answered by the connecting socket itself).
     */
    private static boolean released(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return true;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(10);
            }
        }
    }

    private static Map<String, Plan> plans(Plan... plans) {
        Map<String, Plan> out = new LinkedHashMap<>();
        for (Plan p : plans) {
            out.put(p.label().substring(0, 1), p);
        }
        return out;
    }

    private static TrackedServerChannel channelOn(int port) {
        return TrackedServerChannel.CREATED.stream()
                .filter(ch -> ch.localAddress() != null && ch.localAddress().getPort() == port)
                .findFirst().orElseThrow();
    }

    private static int port(List<InetSocketAddress> addresses, int index) {
        return addresses.get(index).getPort();
    }

    @Test
    void prepareBindsAtOnceButOnlyCommitMakesTheSocketsPartOfTheSetAndAccept() throws Exception {
        ListenerSet<Plan>.Pending pending = set.prepare(plans(Plan.of("a1")));
        assertThat(set.localAddresses()).isEmpty();
        assertThat(TrackedServerChannel.CREATED).hasSize(1);
        int port = ((InetSocketAddress) TrackedServerChannel.CREATED.peek().localAddress()).getPort();
        try (Socket early = new Socket()) {
            early.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            assertThat(acceptedWithPlan.poll(500, TimeUnit.MILLISECONDS))
                    .as("bound, the connection waits in the listen queue until commit").isNull();

            pending.commit();
            assertThat(acceptedWithPlan.poll(10, TimeUnit.SECONDS)).as("taken from the queue at commit").isEqualTo("a1");
        }
        assertThat(set.localAddresses()).hasSize(1);
        assertThat(port(set.localAddresses(), 0)).isEqualTo(port);
    }

    @Test
    void aReloadKeepsTheSocketsThatStayWithTheirNewPlansAndClosesTheOthers() throws Exception {
        set.prepare(plans(Plan.of("a1"), Plan.of("b1"))).commit();
        int a = port(set.localAddresses(), 0);
        int b = port(set.localAddresses(), 1);
        TrackedServerChannel bChannel = channelOn(b);
        assertThat(planServing(a)).isEqualTo("a1");

        set.prepare(plans(Plan.of("a2"), Plan.of("c2"))).commit();
        List<InetSocketAddress> after = set.localAddresses();
        assertThat(after).hasSize(2);
        assertThat(port(after, 0)).as("a is the same socket").isEqualTo(a);
        assertThat(planServing(a)).as("with the new plan").isEqualTo("a2");
        assertThat(planServing(port(after, 1))).isEqualTo("c2");
        assertThat(bChannel.closeFuture().await(10, TimeUnit.SECONDS)).as("b left the configuration").isTrue();
        assertThat(released(b)).isTrue();
        assertThat(TrackedServerChannel.CREATED).as("a was not bound again").hasSize(3);
    }

    @Test
    void cancelClosesWhatWasBoundAndChangesNothingElse() throws Exception {
        set.prepare(plans(Plan.of("a1"))).commit();
        int a = port(set.localAddresses(), 0);

        ListenerSet<Plan>.Pending pending = set.prepare(plans(Plan.of("a2"), Plan.of("b2")));
        TrackedServerChannel b = TrackedServerChannel.CREATED.stream().skip(1).findFirst().orElseThrow();
        int bPort = ((InetSocketAddress) b.localAddress()).getPort();
        pending.cancel();

        assertThat(b.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(released(bPort)).isTrue();
        assertThat(set.localAddresses()).hasSize(1);
        assertThat(planServing(a)).as("the running plan stays").isEqualTo("a1");
    }

    @Test
    void aFailedBindThrowsNginxsMessageAndClosesWhatThisPrepareBound() throws Exception {
        set.prepare(plans(Plan.of("a1"))).commit();
        int a = port(set.localAddresses(), 0);
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int busy = taken.getLocalPort();
            Map<String, Plan> next = plans(Plan.of("a2"), Plan.of("b2"), new Plan("c2", new InetSocketAddress("127.0.0.1", busy)));

            assertThatThrownBy(() -> set.prepare(next))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("bind() to 127.0.0.1:" + busy + " failed (");
        }
        TrackedServerChannel b = TrackedServerChannel.CREATED.stream().skip(1).findFirst().orElseThrow();
        assertThat(b.closeFuture().await(10, TimeUnit.SECONDS)).as("b, bound before the failure, is closed").isTrue();
        assertThat(set.localAddresses()).hasSize(1);
        assertThat(planServing(a)).isEqualTo("a1");
    }
}
