package io.ferry.stream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.FileRegion;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/**
 * Moves what one epoll socket receives to its peer with splice(2), through a pipe of its own, so
 * the bytes of a plain stream session never enter the JVM. It sits at the head of the pipeline
 * and answers the tunnel's read requests: what splice took from the socket goes up the pipeline
 * as a {@link FileRegion} of that many bytes, which the byte counters count and the tunnel writes
 * to the peer as any message (in order, after what is queued, waiting for EPOLLOUT as Netty
 * does); the region's transfer splices the pipe into the peer's socket. Only when the socket has
 * nothing to splice does the read go on to Netty, which waits for the next bytes (the first ones
 * are read into a buffer, as usual) or sees the end of input, so a half-close and errors take the
 * tunnel's ordinary way. The tunnel reads only after the last write completed, so the pipe is
 * empty whenever a read is asked for: memory stays at one pipe per direction.
 *
 * <p>Netty's own {@code spliceTo} is not used: it cannot say how many bytes it moved ($bytes_sent
 * and the others must stay exact) and it shuts the input down on EPOLLRDHUP after a single splice,
 * losing what the socket still held.
 */
final class SpliceRelay extends ChannelDuplexHandler {
    /** As much as one call may take; the pipe's capacity (64 KiB by default) is the real bound. */
    private static final int CHUNK = 1 << 20;
    private static final int FIRST_READ = 2048;

    private final EpollSocketChannel peer;
    private FileDescriptor pipeIn;
    private FileDescriptor pipeOut;
    private boolean pumping;
    private boolean again;

    private SpliceRelay(EpollSocketChannel peer) {
        this.peer = peer;
    }

    /** True when both sockets are epoll's on one event loop, the condition for splicing between them. */
    static boolean possible(Channel a, Channel b) {
        return a instanceof EpollSocketChannel && b instanceof EpollSocketChannel && a.eventLoop() == b.eventLoop();
    }

    /** Puts a splicing head on both pipelines; the pipes go once both sockets are closed. */
    static void install(Channel a, Channel b) throws IOException {
        SpliceRelay fromA = new SpliceRelay((EpollSocketChannel) b);
        SpliceRelay fromB = new SpliceRelay((EpollSocketChannel) a);
        fromA.openPipe();
        try {
            fromB.openPipe();
        } catch (IOException e) {
            fromA.closePipe();
            throw e;
        }
        // Netty still reads the first bytes after each wait into a buffer: a small one leaves the rest to splice.
        a.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(FIRST_READ));
        b.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(FIRST_READ));
        a.pipeline().addFirst("splice", fromA);
        b.pipeline().addFirst("splice", fromB);
        a.closeFuture().addListener(f -> b.closeFuture().addListener(g -> {
            fromA.closePipe();
            fromB.closePipe();
        }));
    }

    private void openPipe() throws IOException {
        FileDescriptor[] pipe = FileDescriptor.pipe();
        pipeIn = pipe[0];
        pipeOut = pipe[1];
    }

    private void closePipe() {
        for (FileDescriptor fd : new FileDescriptor[] {pipeIn, pipeOut}) {
            try {
                fd.close();
            } catch (IOException e) {
                // a pipe that will not close has nothing left to lose
            }
        }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        // A region written at once asks for the next read from inside this loop: it runs again here
        // rather than one stack frame deeper per 64 KiB.
        if (pumping) {
            again = true;
            return;
        }
        pumping = true;
        try {
            do {
                again = false;
                int n;
                try {
                    n = ctx.channel().isActive()
                            ? Native.splice(((EpollSocketChannel) ctx.channel()).fd().intValue(), -1, pipeOut.intValue(), -1, CHUNK)
                            : 0;
                } catch (IOException e) {
                    ctx.fireExceptionCaught(e);
                    return;
                }
                if (n == 0) {
                    // nothing there (or the end of input): Netty waits for it and reports either
                    ctx.read();
                    return;
                }
                ctx.fireChannelRead(new PipeRegion(n));
            } while (again);
        } finally {
            pumping = false;
        }
    }

    /** {@code count} bytes waiting in this relay's pipe, for the peer's socket. */
    private final class PipeRegion extends AbstractReferenceCounted implements FileRegion {
        private final long count;
        private long transferred;

        PipeRegion(long count) {
            this.count = count;
        }

        @Override
        public long position() {
            return 0;
        }

        @Override
        @Deprecated
        public long transfered() {
            return transferred;
        }

        @Override
        public long transferred() {
            return transferred;
        }

        @Override
        public long count() {
            return count;
        }

        @Override
        public long transferTo(WritableByteChannel target, long position) throws IOException {
            int n = Native.splice(pipeIn.intValue(), -1, peer.fd().intValue(), -1, count - transferred);
            transferred += n;
            return n;
        }

        @Override
        public FileRegion retain() {
            super.retain();
            return this;
        }

        @Override
        public FileRegion retain(int increment) {
            super.retain(increment);
            return this;
        }

        @Override
        public FileRegion touch() {
            return this;
        }

        @Override
        public FileRegion touch(Object hint) {
            return this;
        }

        @Override
        protected void deallocate() {
            // the pipe is the relay's, kept for the next region
        }
    }
}
