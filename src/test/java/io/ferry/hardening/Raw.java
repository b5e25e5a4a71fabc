package io.ferry.hardening;

import io.ferry.testing.RawHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * The shared raw HTTP client ({@link RawHttpClient}) with what the hardening tests need on top: a
 * response or an EOF, and how long the server took to close.
 */
final class Raw implements AutoCloseable {
    final Socket socket;
    private final RawHttpClient client;
    private final InputStream in;
    private final OutputStream out;

    Raw(int port) throws IOException {
        this(port, 10_000, -1);
    }

    /** {@code receiveBuffer} &gt; 0 shrinks SO_RCVBUF before connecting (for clients that never read). */
    Raw(int port, int soTimeoutMillis, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(soTimeoutMillis);
        client = RawHttpClient.over(socket);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    Raw send(String text) throws IOException {
        client.send(text);
        return this;
    }

    Raw send(byte[] bytes) throws IOException {
        client.send(bytes);
        return this;
    }

    RawHttpClient.Response read() throws IOException {
        return client.read();
    }

    RawHttpClient.Response read(boolean head) throws IOException {
        return client.read(head);
    }

    /** The status of the next response, or -1 when the server closed the connection without one. */
    int statusOrClosed() throws IOException {
        try {
            return read().status();
        } catch (RawHttpClient.Closed e) {
            return -1;
        } catch (SocketException e) {
            return -1; // reset by the server
        }
    }

    /**
     * Reads (and discards) until EOF or a reset; returns how many bytes came before it, or -1 if the
     * connection was still open after {@code timeoutMillis}.
     */
    long drainUntilClosed(long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        long total = 0;
        byte[] buf = new byte[64 * 1024];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return -1;
            }
            socket.setSoTimeout((int) Math.max(1, left));
            try {
                int n = in.read(buf);
                if (n < 0) {
                    return total;
                }
                total += n;
            } catch (SocketTimeoutException e) {
                return -1;
            } catch (SocketException e) {
                return total; // reset
            }
        }
    }

    /** True when the connection reaches EOF (or is reset) within {@code timeoutMillis}, with no further bytes. */
    boolean closesWithin(long timeoutMillis) throws IOException {
        return drainUntilClosed(timeoutMillis) == 0;
    }

    InputStream input() {
        return in;
    }

    OutputStream output() {
        return out;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
