package io.ferry.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Relay logic of {@link Tunnel} on two {@link EmbeddedChannel}s, where each write's completion is
 * under the test's control: a side reads its next chunk only after the previous one was written
 * to the other side, a failed side ends both, and drain waits for a message boundary.
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

    /** Holds every write until the test lets it through: a peer that is slow to take bytes. */
    private static final class HeldWrites extends ChannelOutboundHandlerAdapter {
        private final List<Object> messages = new ArrayList<>();
        private final List<ChannelPromise> promises = new ArrayList<>();
        private ChannelHandlerContext ctx;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            this.ctx = ctx;
            messages.add(msg);
            promises.add(promise);
        }

        int held() {
            return messages.size();
        }

        void letThrough() {
            for (int i = 0; i < messages.size(); i++) {
                ctx.writeAndFlush(messages.get(i), promises.get(i));
            }
            messages.clear();
            promises.clear();
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

    @Test
    void aSideReadsItsNextChunkOnlyOnceThePreviousOneWasWrittenToThePeer() {
        HeldWrites slowB = new HeldWrites();
        b.pipeline().addFirst(slowB);
        start(StreamObserver.NONE);
        assertThat(readsA.reads).as("start asks each side for a first chunk").isEqualTo(1);
        assertThat(readsB.reads).isEqualTo(1);

        a.writeInbound(bytes("one"));
        assertThat(slowB.held()).isEqualTo(1);
        assertThat(readsA.reads).as("no second read while the first chunk is not written").isEqualTo(1);

        slowB.letThrough();
        assertThat(readsA.reads).isEqualTo(2);
        assertThat(text(b.readOutbound())).isEqualTo("one");

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
