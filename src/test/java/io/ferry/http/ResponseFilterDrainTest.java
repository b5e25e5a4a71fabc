package io.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.http.hook.BodyFilter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A body filter that expands its input far beyond it: the chain sends its output one bounded piece
 * at a time, the next only after the last one left, holds the source back meanwhile, and keeps
 * everything written in between in order.
 */
class ResponseFilterDrainTest {
    /** Each input byte becomes {@code factor} copies, handed out at most {@code piece} bytes at a time. */
    static final class Expander implements BodyFilter {
        final int factor;
        final int piece;
        long owed;
        byte value;

        Expander(int factor, int piece) {
            this.factor = factor;
            this.piece = piece;
        }

        @Override
        public ByteBuf filter(ByteBuf in, ByteBufAllocator alloc) {
            if (in.isReadable()) {
                value = in.getByte(in.readerIndex());
                owed += (long) in.readableBytes() * factor;
            }
            in.release();
            return drain(alloc);
        }

        @Override
        public boolean pending() {
            return owed > 0;
        }

        @Override
        public ByteBuf drain(ByteBufAllocator alloc) {
            int n = (int) Math.min(owed, piece);
            owed -= n;
            ByteBuf out = alloc.buffer(n);
            for (int i = 0; i < n; i++) {
                out.writeByte(value);
            }
            return out;
        }

        @Override
        public ByteBuf flush(ByteBufAllocator alloc) {
            return alloc.buffer(0);
        }

        @Override
        public ByteBuf finish(ByteBufAllocator alloc) {
            return alloc.buffer(0);
        }

        @Override
        public void abandon() {
            owed = 0;
        }
    }

    /** Stands for the socket: holds each write until the test lets it go, as a slow client would. */
    static final class SlowSocket extends ChannelOutboundHandlerAdapter {
        final ArrayDeque<ChannelPromise> unsent = new ArrayDeque<>();
        final List<Object> sent = new ArrayList<>();
        /** Body bytes written and not yet let go: what a filter's output costs in memory at once. */
        long unsentBytes;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            sent.add(msg);
            int n = msg instanceof HttpContent c ? c.content().readableBytes() : 0;
            unsentBytes += n;
            unsent.add(promise.unvoid().addListener(f -> unsentBytes -= n));
        }

        /** Lets go of what was written so far; what those writes make the chain write next stays unsent. */
        void release() {
            List<ChannelPromise> now = new ArrayList<>(unsent);
            unsent.clear();
            now.forEach(ChannelPromise::setSuccess);
        }
    }

    @Test
    void anExpandingChunkGoesOutOnePieceAtATimeAndHoldsTheSourceBack() {
        SlowSocket socket = new SlowSocket();
        ResponseFilter filters = new ResponseFilter();
        EmbeddedChannel ch = new EmbeddedChannel(socket, filters);
        Expander expander = new Expander(100_000, 4096);
        filters.install(expander);
        ch.writeAndFlush(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        socket.sent.clear();
        socket.release();
        ChannelFuture chunk = ch.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {'a', 'a', 'a'})));
        // a later write (the body's end) must wait for the whole chunk
        ChannelFuture end = ch.writeAndFlush(new DefaultLastHttpContent());

        long bytes = 0;
        int pieces = 0;
        for (int round = 0; round < 10_000 && !end.isDone(); round++) {
            assertThat(socket.unsentBytes).as("body bytes in flight at once").isLessThanOrEqualTo(4096);
            if (expander.pending()) {
                assertThat(ch.isWritable()).as("the source is held back while the filter drains ").isFalse();
            }
            for (Object o : socket.sent) {
                if (o instanceof HttpContent c) {
                    assertThat(c.content().readableBytes()).isLessThanOrEqualTo(4096);
                    bytes += c.content().readableBytes();
                    pieces += c.content().isReadable() ? 1 : 0;
                    if (o instanceof LastHttpContent) {
                        assertThat(bytes).as("the end comes after the whole chunk").isEqualTo(300_000);
                    }
                }
                io.netty.util.ReferenceCountUtil.release(o);
            }
            socket.sent.clear();
            socket.release();
            ch.runPendingTasks();
        }
        for (Object o : socket.sent) {
            if (o instanceof HttpContent c) {
                bytes += c.content().readableBytes();
            }
            io.netty.util.ReferenceCountUtil.release(o);
        }
        assertThat(chunk.isSuccess()).isTrue();
        assertThat(end.isDone()).isTrue();
        assertThat(bytes).isEqualTo(300_000);
        assertThat(pieces).isEqualTo(74);
        assertThat(ch.isWritable()).isTrue();
        ch.finishAndReleaseAll();
    }
}
