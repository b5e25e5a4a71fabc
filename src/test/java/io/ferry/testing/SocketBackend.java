package io.ferry.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream on a plain ServerSocket that runs a script per accepted connection, one thread each,
 * and counts connections: for tests that must see exactly how often and how a proxy connects
 * (retries, pooled connections, timeouts) or need a peer that behaves badly on purpose.
 */
public final class SocketBackend implements AutoCloseable {
    public interface Script {
        void serve(Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final Script script;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private SocketBackend(int receiveBuffer, Script script) throws IOException {
        this.script = script;
        server = new ServerSocket();
        if (receiveBuffer > 0) {
            // Accepted sockets inherit it; set before bind so the window is small from the handshake on.
            server.setReceiveBufferSize(receiveBuffer);
        }
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        Thread acceptor = new Thread(this::acceptLoop, "socket-backend-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static SocketBackend start(Script script) throws IOException {
        return new SocketBackend(-1, script);
    }

    /** A backend whose connections have a receive buffer of about {@code bytes} (for peers that never read). */
    public static SocketBackend withReceiveBuffer(int bytes, Script script) throws IOException {
        return new SocketBackend(bytes, script);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connections() {
        return accepted.get();
    }

    /** Waits until {@code n} connections have ended (script returned or failed); false on timeout. */
    public boolean awaitEnded(int n, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (ended) {
            while (ended.get() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(ended, left);
            }
        }
        return true;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                open.add(s);
                Thread t = new Thread(() -> handle(s), "socket-backend-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket s) {
        try (s) {
            s.setSoTimeout(30_000);
            script.serve(s);
        } catch (Exception e) {
            // a reset or a timeout is how a misbehaving script's connection ends
        } finally {
            open.remove(s);
            synchronized (ended) {
                ended.incrementAndGet();
                ended.notifyAll();
            }
        }
    }

    /** The next request head (up to the blank line), or null at EOF before one. */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int matched = 0;
        int c;
        while ((c = in.read()) >= 0) {
            buf.write(c);
            matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : c == '\r' ? 1 : 0;
            if (matched == 4) {
                return buf.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** The Content-Length of a request head, 0 when it has none. */
    public static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                return Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        return 0;
    }

    public static void write(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
