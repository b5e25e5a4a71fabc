package io.ferry.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Relay logic of {@link Tunnel} on two {@link EmbeddedChannel}s, where writes and flushes are under
 * the test's control: a side reads on only while the other side takes more, a failed side ends
 * both, and drain waits for a message boundary.
 */
class TunnelTest {
    private final EmbeddedChannel a = new EmbeddedChannel();
    private final EmbeddedChannel b = new EmbeddedChannel();
    private final ReadCounter readsA = new ReadCounter();
    private final ReadCounter readsB = new ReadCounter();
    private final AtomicInteger closes = new AtomicInteger();

    @AfterEach
    void finish() {
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    /** Counts read() requests, which is how a side asks for its next chunk (AUTO_READ is off in Ferry). */
    private static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        int reads;

        @Override
        public void read(ChannelHandlerContext ctx) {
            reads++;
            ctx.read();
        }
    }

    private Tunnel start(StreamObserver observeA) {
        // As on Ferry's sockets: the channel reads only when asked.
        a.config().setAutoRead(false);
        b.config().setAutoRead(false);
        a.pipeline().addFirst(readsA);
        b.pipeline().addFirst(readsB);
        Tunnel t = Tunnel.install(a, b, Duration.ofMinutes(1), observeA, StreamObserver.NONE, closes::incrementAndGet);
        t.start();
        return t;
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static String text(Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }

    /** Holds back the flushes to this side: what is written stays in its outbound buffer, as with a full socket. */
    private static final class HeldFlushes extends ChannelOutboundHandlerAdapter {
        private ChannelHandlerContext ctx;
        int held;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            held++;
        }

        void letThrough() {
            ctx.flush();
        }
    }

    @Test
    void aSideReadsOnWhileThePeerTakesMoreAndWaitsWhileThePeersWriteBufferIsFull() {
        HeldFlushes slowB = new HeldFlushes();
        b.config().setWriteBufferWaterMark(new WriteBufferWaterMark(256, 1024));
        b.pipeline().addFirst(slowB);
        start(StreamObserver.NONE);
        assertThat(readsA.reads).as("start asks each side for a first chunk").isEqualTo(1);
        assertThat(readsB.reads).isEqualTo(1);

        a.writeInbound(bytes("one"));
        assertThat(slowB.held).as("one flush per read").isEqualTo(1);
        assertThat(readsA.reads).as("the peer takes more: the next read").isEqualTo(2);

        String big = "x".repeat(2000);
        a.writeInbound(bytes(big));
        assertThat(b.isWritable()).isFalse();
        assertThat(readsA.reads).as("no read while the peer's buffer is over its high-water mark").isEqualTo(2);

        slowB.letThrough();
        b.runPendingTasks();
        assertThat(b.isWritable()).isTrue();
        assertThat(readsA.reads).as("the peer drained: reading goes on").isEqualTo(3);
        assertThat(text(b.readOutbound())).isEqualTo("one");
        assertThat(text(b.readOutbound())).isEqualTo(big);

        b.writeInbound(bytes("reply"));
        assertThat(text(a.readOutbound())).isEqualTo("reply");
        assertThat(readsB.reads).isEqualTo(2);
        assertThat(closes).hasValue(0);
    }

    @Test
    void aFailedWriteClosesBothSidesAndReportsTheCloseOnce() {
        b.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
                promise.setFailure(new IOException("Broken pipe"));
            }
        });
        start(StreamObserver.NONE);
        a.writeInbound(bytes("lost"));
        a.runPendingTasks();
        b.runPendingTasks();
        assertThat(a.isOpen()).isFalse();
        assertThat(b.isOpen()).isFalse();
        assertThat(closes).hasValue(1);
        assertThat(readsA.reads).as("a failed side is not read again").isEqualTo(1);
    }

    @Test
    void oneSideClosingClosesTheOtherAfterWhatWasQueuedForIt() {
        start(StreamObserver.NONE);
        a.writeInbound(bytes("last words"));
        a.close();
        b.runPendingTasks();
        assertThat(b.isOpen()).isFalse();
        assertThat(text(b.readOutbound())).isEqualTo("last words");
        assertThat(closes).hasValue(1);
    }

    @Test
    void drainWaitsForTheBoundaryThenStopsReadingAndRunsTheActionOnce() {
        // A line protocol: the direction is between messages right after a newline.
        StreamObserver lines = new StreamObserver() {
            private boolean atBoundary = true;

            @Override
            public void observe(ByteBuf bytes) {
                atBoundary = bytes.getByte(bytes.writerIndex() - 1) == '\n';
            }

            @Override
            public boolean atBoundary() {
                return atBoundary;
            }
        };
        Tunnel t = start(lines);
        a.writeInbound(bytes("half a mess"));
        assertThat(readsA.reads).isEqualTo(2);

        AtomicInteger drained = new AtomicInteger();
        t.drain(drained::incrementAndGet);
        a.runPendingTasks();
        assertThat(drained).as("in the middle of a message").hasValue(0);

        a.writeInbound(bytes("age\n"));
        assertThat(text(b.readOutbound())).isEqualTo("half a mess");
        assertThat(text(b.readOutbound())).isEqualTo("age\n");
        assertThat(drained).hasValue(1);
        assertThat(readsA.reads).as("nothing more is read once at the boundary").isEqualTo(2);
        assertThat(a.isOpen()).as("drain leaves closing to the action").isTrue();
        assertThat(closes).hasValue(0);
    }

    @Test
    void drainAtABoundaryRunsTheActionAtOnce() {
        Tunnel t = start(StreamObserver.NONE);
        AtomicInteger drained = new AtomicInteger();
        t.drain(drained::incrementAndGet);
        a.runPendingTasks();
        assertThat(drained).hasValue(1);
        t.closeAll();
        t.closeAll();
        assertThat(closes).hasValue(1);
        assertThat(a.isOpen()).isFalse();
        assertThat(b.isOpen()).isFalse();
    }
}
