package io.ferry.websocket;

import io.ferry.tunnel.StreamObserver;
import io.netty.buffer.ByteBuf;

/**
 * Follows RFC 6455 frame headers in one direction of a WebSocket tunnel (lengths only; payloads are
 * skipped, never unmasked or copied), so Ferry knows when that direction stands between frames.
 */
final class FrameBoundary implements StreamObserver {
    private final byte[] header = new byte[14];
    private int headerRead;
    private int headerNeeded = 2;
    private long payloadLeft;

    @Override
    public void observe(ByteBuf bytes) {
        int i = bytes.readerIndex();
        int end = bytes.writerIndex();
        while (i < end) {
            if (payloadLeft > 0) {
                int skip = (int) Math.min(payloadLeft, end - i);
                payloadLeft -= skip;
                i += skip;
                continue;
            }
            header[headerRead++] = bytes.getByte(i++);
            if (headerRead == 2) {
                int len7 = header[1] & 0x7f;
                boolean masked = (header[1] & 0x80) != 0;
                headerNeeded = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
            }
            if (headerRead >= 2 && headerRead == headerNeeded) {
                payloadLeft = payloadLength();
                headerRead = 0;
                headerNeeded = 2;
            }
        }
    }

    private long payloadLength() {
        int len7 = header[1] & 0x7f;
        if (len7 < 126) {
            return len7;
        }
        long n = 0;
        int bytes = len7 == 126 ? 2 : 8;
        for (int k = 0; k < bytes; k++) {
            n = n << 8 | (header[2 + k] & 0xff);
        }
        return n;
    }

    @Override
    public boolean atBoundary() {
        return headerRead == 0 && payloadLeft == 0;
    }
}
