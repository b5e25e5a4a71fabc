package io.ferry.cli;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady GET traffic at a fixed rate from a few threads on plain sockets, half of them on one keepalive
 * connection each, half opening a connection per request. Every request that gets no 200 with its whole body
 * is a failure, with one exception RFC 9112 section 9.3.1 grants every client: a request sent on a reused
 * connection that the server closed while it was idle (nothing of a response came back) is retried once on a
 * new connection. Such retries are counted apart; a connection refused or reset on a fresh connection fails.
 */
final class HttpLoad implements AutoCloseable {
    private final int port;
    private final String path;
    private final long intervalNanos;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong retried = new AtomicLong();
    final AtomicLong slowerThanOneSecond = new AtomicLong();
    final AtomicLong maxLatencyMicros = new AtomicLong();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private long startedNanos;
    private long stoppedNanos;

    /** {@code threads} senders, each at {@code perThread} requests a second; even-numbered ones keep their connection. */
    HttpLoad(int port, String path, int threadCount, int perThread) {
        this.port = port;
        this.path = path;
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perThread;
        for (int i = 0; i < threadCount; i++) {
            boolean keepalive = i % 2 == 0;
            Thread t = new Thread(() -> send(keepalive), "load-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    void start() {
        startedNanos = System.nanoTime();
        threads.forEach(Thread::start);
    }

    private void send(boolean keepalive) {
        Socket reused = null;
        long next = System.nanoTime();
        long n = 0;
        while (running) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
            next += intervalNanos;
            String target = path + "?n=" + Thread.currentThread().getName() + "-" + n++;
            long began = System.nanoTime();
            try {
                if (!keepalive) {
                    try (Socket s = connect()) {
                        exchange(s, target, false);
                    }
                } else {
                    if (reused != null) {
                        try {
                            exchange(reused, target, true);
                            record(began);
                            continue;
                        } catch (IdleClose e) {
                            retried.incrementAndGet();
                            reused.close();
                        }
                    }
                    reused = connect();
                    exchange(reused, target, true);
                }
                record(began);
            } catch (IOException | RuntimeException e) {
                failures.add(String.format(Locale.ROOT, "%s %s: %s", keepalive ? "keepalive" : "new connection", target, e));
                closeQuietly(reused);
                reused = null;
            }
        }
        closeQuietly(reused);
    }

    private void record(long began) {
        requests.incrementAndGet();
        long micros = (System.nanoTime() - began) / 1000;
        maxLatencyMicros.accumulateAndGet(micros, Math::max);
        if (micros > 1_000_000) {
            slowerThanOneSecond.incrementAndGet();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(20_000);
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return s;
    }

    /** The server closed an idle reused connection before any byte of the answer: a request it never saw. */
    private static final class IdleClose extends IOException {
        IdleClose(Throwable cause) {
            super(cause);
        }
    }

    /** One request and its whole answer; on a {@code keepalive} connection an answer that never began is an {@link IdleClose}. */
    private static void exchange(Socket s, String target, boolean keepalive) throws IOException {
        s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: load\r\n"
                + (keepalive ? "" : "Connection: close\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        int first;
        try {
            first = in.read();
        } catch (IOException e) {
            throw keepalive ? new IdleClose(e) : e;
        }
        if (first < 0) {
            if (keepalive) {
                throw new IdleClose(new EOFException("closed before the answer"));
            }
            throw new EOFException("closed before the answer");
        }
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(first);
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed inside the answer's head: " + head);
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        if (!text.startsWith("HTTP/1.1 200 ")) {
            throw new IOException("answer " + text.lines().findFirst().orElse(""));
        }
        long length = text.lines().filter(l -> l.regionMatches(true, 0, "Content-Length:", 0, 15))
                .mapToLong(l -> Long.parseLong(l.substring(15).trim())).findFirst()
                .orElseThrow(() -> new IOException("no Content-Length in " + text));
        if (in.readNBytes((int) length).length != length) {
            throw new EOFException("body cut short");
        }
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // nothing left to do with it
            }
        }
    }

    double perSecond() {
        return requests.get() * 1e9 / (stoppedNanos - startedNanos);
    }

    @Override
    public void close() throws InterruptedException {
        if (!running) {
            return;
        }
        running = false;
        for (Thread t : threads) {
            t.join(30_000);
        }
        stoppedNanos = System.nanoTime();
    }
}
