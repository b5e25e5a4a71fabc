package io.ferry.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a tunnel uses its {@link StreamObserver}s: every relayed chunk is shown to the observer of its direction
 * unchanged, and a drain runs its action once, only when both directions stand at a boundary with no write in
 * flight; from then on neither side is read any more.
 */
class TunnelDrainTest {
    /** Messages end at a newline: a protocol simple enough that the test states each boundary itself. */
    static final class Lines implements StreamObserver {
        final List<String> seen = new ArrayList<>();
        private boolean insideLine;

        @Override
        public void observe(ByteBuf bytes) {
            String s = bytes.toString(StandardCharsets.US_ASCII);
            seen.add(s);
            insideLine = !s.endsWith("\n");
        }

        @Override
        public boolean atBoundary() {
            return !insideLine;
        }
    }

    /** Counts read requests, to show when a side stops being read. */
    static final class Reads extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void read(ChannelHandlerContext ctx) {
            count++;
            ctx.read();
        }
    }

    private final Reads readsA = new Reads();
    private final Reads readsB = new Reads();
    private final EmbeddedChannel a = new EmbeddedChannel(readsA);
    private final EmbeddedChannel b = new EmbeddedChannel(readsB);
    private final Lines fromA = new Lines();
    private final Lines fromB = new Lines();
    private final AtomicInteger drained = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();

    @AfterEach
    void release() {
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    private Tunnel start(StreamObserver observeA, StreamObserver observeB) {
        // As on Ferry's sockets: reads happen only when asked for.
        a.config().setAutoRead(false);
        b.config().setAutoRead(false);
        Tunnel t = Tunnel.install(a, b, Duration.ofSeconds(60), observeA, observeB, closed::incrementAndGet);
        t.start();
        return t;
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (ByteBuf buf; (buf = ch.readOutbound()) != null; ) {
            out.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return out.toString();
    }

    @Test
    void eachChunkIsObservedUnchangedAndRelayed() {
        start(fromA, fromB);
        a.writeInbound(ascii("one\ntw"));
        b.writeInbound(ascii("reply\n"));
        assertThat(written(b)).isEqualTo("one\ntw");
        assertThat(written(a)).isEqualTo("reply\n");
        assertThat(fromA.seen).containsExactly("one\ntw");
        assertThat(fromB.seen).containsExactly("reply\n");
    }

    @Test
    void drainWaitsUntilBothDirectionsReachABoundary() {
        Tunnel t = start(fromA, fromB);
        a.writeInbound(ascii("hal"));
        b.writeInbound(ascii("wor"));
        t.drain(drained::incrementAndGet);
        a.runPendingTasks();
        assertThat(drained).as("both directions inside a message").hasValue(0);

        a.writeInbound(ascii("f\n"));
        assertThat(drained).as("the other direction is still inside one").hasValue(0);
        b.writeInbound(ascii("ld\n"));
        assertThat(drained).hasValue(1);
        assertThat(written(b)).isEqualTo("half\n");
        assertThat(written(a)).isEqualTo("world\n");
        assertThat(closed).as("draining is not closing").hasValue(0);
    }

    @Test
    void aDrainedSideIsReadOnlyUntilItsMessageIsComplete() {
        Tunnel t = start(fromA, fromB);
        a.writeInbound(ascii("par"));
        t.drain(drained::incrementAndGet);
        a.runPendingTasks();
        int reads = readsA.count;
        a.writeInbound(ascii("ti"));
        assertThat(readsA.count).as("inside a message the side is read on").isEqualTo(reads + 1);
        a.writeInbound(ascii("al\n"));
        assertThat(drained).hasValue(1);
        assertThat(readsA.count).as("once at a boundary, no further read is asked for").isEqualTo(reads + 1);
        assertThat(written(b)).isEqualTo("partial\n");
    }

    @Test
    void withoutBoundariesToRespectADrainActsAtOnce() {
        Tunnel t = start(StreamObserver.NONE, StreamObserver.NONE);
        a.writeInbound(ascii("no line end"));
        t.drain(drained::incrementAndGet);
        a.runPendingTasks();
        assertThat(drained).hasValue(1);
    }

    @Test
    void aClosedTunnelIgnoresADrain() {
        Tunnel t = start(fromA, fromB);
        t.closeAll();
        t.drain(drained::incrementAndGet);
        a.runPendingTasks();
        assertThat(drained).hasValue(0);
        assertThat(closed).hasValue(1);
        assertThat(a.isOpen()).isFalse();
        assertThat(b.isOpen()).isFalse();
    }
}
