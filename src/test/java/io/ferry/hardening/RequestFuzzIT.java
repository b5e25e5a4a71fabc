package io.ferry.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.ferry.demo.EchoBackend;
import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * At least 100,000 random and mutated requests against a running Ferry (a return location and a
 * proxied one), over a few dozen concurrent raw connections that are kept alive while the
 * requests are valid: every connection must answer or close within a bound (no hang), a valid
 * request sent within Ferry's timeouts must be answered, Ferry's answers must be well-formed HTTP
 * with no 5xx but 501/505 (required answers to bad framing and versions) and 502/504 (proxied
 * only), Ferry may log no [alert] nor any exception and Netty no warning, no buffer may leak, and a
 * normal request must still work.
 */
@Timeout(180)
class RequestFuzzIT {
    static final int MIN_CASES = 100_000;
    static final long BUDGET_MILLIS = 240_000;
    static final int THREADS = 96;
    /**
     * Ferry's header and body timeouts are 100 ms here (keep-alive 5 s): every connection must answer or
     * close well within this (the slowest seen is printed; on a loaded 2-core machine a few seconds).
     */
    static final int HANG_MILLIS = 10_000;
    /** client_header_timeout and client_body_timeout below. */
    static final long REQUEST_TIMEOUT_MILLIS = 100;
    static final long KEEPALIVE_MILLIS = 5_000;
    static final Set<Integer> ALLOWED_5XX = Set.of(501, 502, 504, 505);
    static final byte[] SENTINEL_CLOSE = "GET /sentinel HTTP/1.1\r\nHost: fuzz.test\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    static final byte[] SENTINEL = "GET /sentinel HTTP/1.1\r\nHost: fuzz.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final String SENTINEL_BODY = "ok /sentinel";

    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();

    final LongAdder cases = new LongAdder();
    final LongAdder mutated = new LongAdder();
    final LongAdder connections = new LongAdder();
    final LongAdder closedWithoutAnswer = new LongAdder();
    /** Valid cases closed without an answer because the client was slower than Ferry's timeouts allow. */
    final LongAdder validTimedOut = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final AtomicLong slowest = new AtomicLong();

    void fail(String what, RequestMutator.Case c) {
        if (failures.size() < 25) {
            failures.add(what + " <- " + RequestParsingIT.printable(c.bytes()));
        }
    }

    @Test
    void aHundredThousandMutatedRequestsNeitherCrashNorHangNorLeak() throws Exception {
        Logger ferryLogs = (Logger) LoggerFactory.getLogger("io.ferry");
        Level level = ferryLogs.getLevel();
        try (LogCapture ferryLog = LogCapture.of("io.ferry");
             LogCapture nettyLog = LogCapture.of("io.netty");
             EchoBackend backend = EchoBackend.start(new InetSocketAddress("127.0.0.1", 0))) {
            int port = FerryInstance.freePort();
            try (FerryInstance ferry = FerryInstance.start(prefix, """
                    worker_processes 2;
                    events { worker_connections 4096; }
                    http {
                        client_header_timeout %dms;
                        client_body_timeout %dms;
                        send_timeout 2s;
                        # longer than client_header_timeout on purpose: a request begun on a kept-alive
                        # connection must still be cut at the header timeout
                        keepalive_timeout %dms;
                        client_max_body_size 64k;
                        # a case that declares more body than it sends holds its connection that long
                        lingering_timeout 500ms;
                        upstream app { server 127.0.0.1:%d; keepalive 32; }
                        server {
                            listen 127.0.0.1:%d;
                            server_name fuzz.test;
                            location / { return 200 "ok $uri"; }
                            location /p {
                                proxy_pass http://app;
                                proxy_http_version 1.1;
                                proxy_set_header Connection "";
                                proxy_read_timeout 3s;
                            }
                        }
                    }
                    """.formatted(REQUEST_TIMEOUT_MILLIS, REQUEST_TIMEOUT_MILLIS, KEEPALIVE_MILLIS, backend.port(), port))) {
                ferryLogs.setLevel(Level.WARN); // timeouts and 400s by the thousand are expected here
                long t0 = System.nanoTime();
                long deadline = t0 + BUDGET_MILLIS * 1_000_000L;
                AtomicInteger ids = new AtomicInteger();
                ExecutorService pool = Executors.newFixedThreadPool(THREADS);
                for (int i = 0; i < THREADS; i++) {
                    pool.execute(() -> new Worker(port, 0x5eedL * 31 + ids.incrementAndGet(), deadline).run());
                }
                pool.shutdown();
                assertThat(pool.awaitTermination(BUDGET_MILLIS + 30_000, TimeUnit.MILLISECONDS)).as("workers finished").isTrue();
                long millis = (System.nanoTime() - t0) / 1_000_000;
                ferryLogs.setLevel(level);

                System.out.printf("[hardening] FUZZ requests: %d cases (%d mutated), %.1f MB, %d connections, %d closed without an answer "
                                + "(%d valid ones sent slower than the timeouts), in %d ms (%.0f/s) over %d concurrent connections; "
                                + "slowest answer-or-close %d ms; statuses %s; %d error log lines%n",
                        cases.sum(), mutated.sum(), bytesSent.sum() / 1e6, connections.sum(), closedWithoutAnswer.sum(), validTimedOut.sum(),
                        millis, cases.sum() * 1000.0 / millis, THREADS, slowest.get(), new java.util.TreeMap<>(statuses),
                        ferryLog.lines().size());
                failures.forEach(f -> System.out.println("[hardening] FUZZ failure: " + f));
                ferryLog.lines().stream().limit(20).forEach(l -> System.out.println("[hardening] FUZZ error log: " + l));
                nettyLog.lines().stream().limit(20).forEach(l -> System.out.println("[hardening] FUZZ netty: " + l));

                // Ferry still serves, and no connection is left behind
                try (Raw raw = new Raw(port)) {
                    assertThat(raw.send("GET /after HTTP/1.1\r\nHost: fuzz.test\r\n\r\n").read().status()).isEqualTo(200);
                    assertThat(raw.send("GET /p/after HTTP/1.1\r\nHost: fuzz.test\r\nConnection: close\r\n\r\n").read().status())
                            .isEqualTo(200);
                }
                long settle = System.nanoTime() + 10_000_000_000L;
                while (ferry.server().connectionStates().active() > 0 && System.nanoTime() < settle) {
                    Thread.sleep(50);
                }
                assertThat(ferry.server().connectionStates().active()).as("client connections left open").isZero();
                assertThat(failures).isEmpty();
                assertCounts();
                // A fault of Ferry's is an [alert] with its exception; Netty warns of exceptions nobody handled.
                assertThat(ferryLog.lines()).filteredOn(l -> l.startsWith("ERROR/alert") || l.contains(" <- ")).isEmpty();
                assertThat(nettyLog.lines()).isEmpty();
            } finally {
                ferryLogs.setLevel(level);
            }
        }
    }

    /** The printed figures, each within what the mutator and the timeouts allow. */
    void assertCounts() {
        long all = cases.sum();
        assertThat(all).isBetween((long) MIN_CASES, (long) MIN_CASES + THREADS);
        // RequestMutator leaves 45% of cases valid
        assertThat(mutated.sum()).isBetween(all * 50 / 100, all * 60 / 100);
        // a case opens at most two connections (one retry when a kept-alive one was closed under it)
        assertThat(connections.sum()).isBetween((long) THREADS, 2 * all);
        // valid cases are answered unless the client was too slow for Ferry's timeouts
        assertThat(closedWithoutAnswer.sum()).isLessThanOrEqualTo(mutated.sum() + validTimedOut.sum());
        assertThat(validTimedOut.sum()).as("valid cases sent slower than the timeouts").isLessThanOrEqualTo((all - mutated.sum()) / 20);
        assertThat(slowest.get()).isLessThan(HANG_MILLIS);
    }

    /** One client connection at a time, kept alive across valid cases, replaced after a mutated one. */
    final class Worker {
        final int port;
        final RequestMutator mutator;
        final long deadline;
        Socket socket;
        InputStream in;
        OutputStream out;
        StrictResponseReader responses;
        /** When this client began connecting, wrote the current case's first and last byte, and the previous last byte. */
        long connectStartedAt;
        long firstWriteAt;
        long lastWriteAt;
        long previousWriteAt;
        boolean reused;

        Worker(int port, long seed, long deadline) {
            this.port = port;
            this.mutator = new RequestMutator(seed);
            this.deadline = deadline;
        }

        void run() {
            try {
                while (System.nanoTime() < deadline && cases.sum() < MIN_CASES) {
                    RequestMutator.Case c = mutator.next();
                    if (c.bytes().length == 0 || !send(c)) {
                        continue;
                    }
                    cases.increment();
                    if (c.mutated()) {
                        mutated.increment();
                    }
                    try {
                        outcome(c);
                    } catch (SocketTimeoutException e) {
                        fail("HANG: no answer and no close within " + HANG_MILLIS + " ms", c);
                        drop();
                    } catch (Exception e) {
                        fail("client error " + e, c);
                        drop();
                    }
                }
            } finally {
                drop();
            }
        }

        boolean send(RequestMutator.Case c) {
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    reused = socket != null;
                    if (socket == null) {
                        connectStartedAt = System.nanoTime();
                        socket = new Socket();
                        socket.setTcpNoDelay(true);
                        socket.setSoLinger(true, 0); // RST on close: no TIME_WAIT pile-up over 100k cases
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                        socket.setSoTimeout(HANG_MILLIS);
                        in = socket.getInputStream();
                        out = socket.getOutputStream();
                        responses = new StrictResponseReader(in);
                        connections.increment();
                    }
                    previousWriteAt = lastWriteAt;
                    firstWriteAt = System.nanoTime();
                    byte[] b = c.bytes();
                    int from = 0;
                    for (int split : mutator.splits(b.length)) {
                        out.write(b, from, split - from);
                        out.flush();
                        from = split;
                        if (mutator.pauseBetweenWrites()) {
                            Thread.sleep(2);
                        }
                    }
                    out.write(b, from, b.length - from);
                    out.flush();
                    lastWriteAt = System.nanoTime();
                    bytesSent.add(b.length);
                    return true;
                } catch (IOException e) {
                    drop(); // the kept-alive connection was closed under us: once more on a new one
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }

        void outcome(RequestMutator.Case c) throws IOException {
            long t0 = System.nanoTime();
            boolean head = isHead(c.bytes());
            StrictResponseReader.Parsed r;
            do {
                r = responses.read(head);
                if (r == null) {
                    closedWithoutAnswer.increment();
                    if (!c.mutated()) {
                        if (slowerThanTimeouts()) {
                            validTimedOut.increment();
                        } else {
                            fail("valid request closed without an answer", c);
                        }
                    }
                    note(t0);
                    drop();
                    return;
                }
                count(r.status());
            } while (r.status() >= 100 && r.status() < 200);
            note(t0);
            if (r.status() >= 500 && !ALLOWED_5XX.contains(r.status())) {
                fail("status " + r.status(), c);
            }
            if ((r.status() == 502 || r.status() == 504) && !c.proxied() && !c.mutated()) {
                fail("status " + r.status() + " without a backend", c);
            }
            if (!c.mutated() && r.status() >= 500 && r.status() != 502 && r.status() != 504) {
                fail("valid request answered " + r.status(), c);
            }
            if (r.close()) {
                // whatever else the mutation produced, the connection must end within the bound
                long t1 = System.nanoTime();
                drainUntilClose(c);
                note(t1);
                drop();
            } else if (c.mutated()) {
                // kept alive after a mutated request: whatever is left of it (a second request, stray bytes)
                // and a last normal request must still be answered or the connection closed, within the bound
                long t1 = System.nanoTime();
                if (mayHideAHead(c.bytes())) {
                    // a pipelined HEAD's answer has no body: responses cannot be told apart, just wait for the close
                    try {
                        out.write(SENTINEL_CLOSE);
                        out.flush();
                    } catch (SocketException e) {
                        // already closed by Ferry (the rest of the mutation was refused)
                    }
                    drainUntilClose(c);
                    drop();
                } else if (!resynchronized(c)) {
                    drop();
                }
                note(t1);
            }
        }

        /**
         * Sends the keep-alive sentinel and reads answers until its own: the connection is then in a
         * known state and is reused. Returns false when Ferry closed the connection instead.
         */
        boolean resynchronized(RequestMutator.Case c) throws IOException {
            try {
                out.write(SENTINEL);
                out.flush();
                lastWriteAt = System.nanoTime();
            } catch (SocketException e) {
                drainUntilClose(c);
                return false;
            }
            for (int answers = 0; answers < 8; answers++) {
                StrictResponseReader.Parsed p = responses.read(false);
                if (p == null) {
                    return false;
                }
                count(p.status());
                if (p.status() >= 500 && !ALLOWED_5XX.contains(p.status())) {
                    fail("status " + p.status() + " (after the mutated request)", c);
                }
                if (p.close()) {
                    drainUntilClose(c);
                    return false;
                }
                if (p.status() == 200 && SENTINEL_BODY.equals(p.body())) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Whether Ferry's timeouts rightly closed the connection before the case was whole: nginx
         * closes without an answer when a request takes longer than client_header_timeout or
         * client_body_timeout (counted from the accept, or from the first byte on a kept-alive
         * connection) or when it begins after keepalive_timeout. Ferry's clocks start no earlier
         * than this client's, and bytes already sent are read before a timer that fires later.
         */
        boolean slowerThanTimeouts() {
            long took = lastWriteAt - (reused ? firstWriteAt : connectStartedAt);
            return took >= REQUEST_TIMEOUT_MILLIS * 1_000_000L
                    || reused && firstWriteAt - previousWriteAt >= KEEPALIVE_MILLIS * 1_000_000L;
        }

        boolean mayHideAHead(byte[] b) {
            return new String(b, StandardCharsets.ISO_8859_1).contains("HEAD");
        }

        /**
         * Whether Ferry's codec sees a HEAD request in these bytes (its response then has no body):
         * leading control characters and whitespace are skipped, and any whitespace, bare CR
         * included, ends the method (RFC 9112 §3 allows that leniency).
         */
        boolean isHead(byte[] b) {
            int i = 0;
            while (i < b.length && (Character.isISOControl((char) (b[i] & 0xff)) || Character.isWhitespace((char) (b[i] & 0xff)))) {
                i++;
            }
            return b.length > i + 4 && b[i] == 'H' && b[i + 1] == 'E' && b[i + 2] == 'A' && b[i + 3] == 'D'
                    && Character.isWhitespace((char) (b[i + 4] & 0xff));
        }

        void note(long t0) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            slowest.accumulateAndGet(ms, Math::max);
        }

        void count(int status) {
            statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
        }

        /** Reads until EOF; further (pipelined) responses are allowed, silence is not. */
        void drainUntilClose(RequestMutator.Case c) throws IOException {
            byte[] buf = new byte[8192];
            long end = System.nanoTime() + HANG_MILLIS * 1_000_000L;
            try {
                while (in.read(buf) >= 0) {
                    if (System.nanoTime() > end) {
                        fail("HANG: still sending after " + HANG_MILLIS + " ms", c);
                        return;
                    }
                }
            } catch (SocketException e) {
                // reset: closed
            }
        }

        void drop() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // gone
                }
                socket = null;
            }
        }
    }
}
