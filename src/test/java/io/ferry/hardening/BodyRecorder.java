package io.ferry.hardening;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@link ScriptedBackend} script that never answers: it keeps every byte a proxied request sends
 * after its head until the proxy closes the connection. Tests wait on what arrived and on that
 * close, so "nothing more reached the upstream" is checked once nothing more can.
 */
final class BodyRecorder implements ScriptedBackend.Script {
    private final BlockingQueue<Connection> connections = new LinkedBlockingQueue<>();

    /** One upstream connection. */
    static final class Connection {
        final String head;
        private final StringBuilder body = new StringBuilder();
        private boolean ended;

        Connection(String head) {
            this.head = head;
        }

        synchronized void append(String bytes) {
            body.append(bytes);
            notifyAll();
        }

        synchronized void end() {
            ended = true;
            notifyAll();
        }

        synchronized String body() {
            return body.toString();
        }

        /** True once what arrived after the head satisfies {@code condition}. */
        synchronized boolean awaitBody(Predicate<String> condition, long timeoutMillis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (!condition.test(body.toString())) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (ended || left <= 0) {
                    return false;
                }
                wait(left);
            }
            return true;
        }

        /** True once the proxy closed (or reset) this connection. */
        synchronized boolean awaitEnd(long timeoutMillis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (!ended) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                wait(left);
            }
            return true;
        }
    }

    @Override
    public void serve(Socket socket, String head) throws IOException {
        Connection c = new Connection(head);
        connections.add(c);
        try {
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) {
                c.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        } finally {
            c.end();
        }
    }

    /** The next connection whose request head arrived, or null after {@code timeoutMillis}. */
    Connection next(long timeoutMillis) throws InterruptedException {
        return connections.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
