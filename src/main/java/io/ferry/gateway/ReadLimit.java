package io.ferry.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * An upstream connection's read budget (proxy_limit_rate), as nginx's event pipe keeps it: by a
 * time, {@code rate * (whole seconds since the body began + 1)} bytes may have been read; a read
 * takes no more than what is left, is followed by a pause as long as the rate needs for what it
 * took, and with nothing left waits until the budget grows again. It is the connection's receive
 * allocator, so a read is cut at the budget whichever transport reads; between responses (a kept
 * connection serves the next one) it does nothing.
 */
final class ReadLimit implements RecvByteBufAllocator {
    private final RecvByteBufAllocator inner;
    private long rate;
    private long startSecond;
    private long read;
    private long sinceWait;
    /** What the next read may take; negative for no limit. */
    private long cap = -1;

    private ReadLimit(RecvByteBufAllocator inner) {
        this.inner = inner;
    }

    /** Installed on a new connection, before its first read. */
    static void install(Channel ch) {
        ch.config().setRecvByteBufAllocator(new ReadLimit(ch.config().getRecvByteBufAllocator()));
    }

    /** The connection's limit, or null where none was installed. */
    static ReadLimit of(Channel ch) {
        return ch.config().getRecvByteBufAllocator() instanceof ReadLimit limit ? limit : null;
    }

    /** The response body is read from here on at {@code bytesPerSecond}. */
    void begin(long bytesPerSecond) {
        rate = bytesPerSecond;
        startSecond = System.currentTimeMillis() / 1000;
        read = 0;
        sinceWait = 0;
    }

    /** The response is over: the connection reads freely again. */
    void end() {
        rate = 0;
        cap = -1;
    }

    /** Milliseconds to wait before the next read, or 0 to read now (at most the budget left). */
    long waitMillis() {
        if (rate == 0) {
            return 0;
        }
        if (sinceWait > 0) {
            long pause = sinceWait * 1000 / rate;
            sinceWait = 0;
            if (pause > 0) {
                return pause;
            }
        }
        long left = rate * (System.currentTimeMillis() / 1000 - startSecond + 1) - read;
        if (left <= 0) {
            return -left * 1000 / rate + 1;
        }
        cap = left;
        return 0;
    }

    @Override
    public Handle newHandle() {
        return new Limited((ExtendedHandle) inner.newHandle());
    }

    private final class Limited implements ExtendedHandle {
        private final ExtendedHandle h;
        private long taken;

        Limited(ExtendedHandle h) {
            this.h = h;
        }

        private boolean underCap() {
            return cap < 0 || taken < cap;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return alloc.ioBuffer(guess());
        }

        @Override
        public int guess() {
            int g = h.guess();
            return cap < 0 ? g : (int) Math.max(1, Math.min(g, cap - taken));
        }

        @Override
        public void reset(ChannelConfig config) {
            taken = 0;
            h.reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            h.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            h.lastBytesRead(bytes);
            if (bytes > 0 && rate > 0) {
                taken += bytes;
                read += bytes;
                sinceWait += bytes;
            }
        }

        @Override
        public int lastBytesRead() {
            return h.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            h.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return h.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return underCap() && h.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return underCap() && h.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            h.readComplete();
        }
    }
}
