package io.ferry.http.conn;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Server-wide connection counters, in stub_status's terms, and whether a graceful quit has begun. */
public final class ConnectionStates {
    public enum State { READING, WRITING, WAITING }

    private volatile boolean quitting;

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger[] byState = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};

    /** A connection was accepted; {@code handled} false when the worker_connections limit refused it. */
    public void accepted(boolean handled) {
        accepted.incrementAndGet();
        if (handled) {
            this.handled.incrementAndGet();
        }
    }

    public long nextConnectionId() {
        return handled.get();
    }

    public void opened(State s) {
        active.incrementAndGet();
        byState[s.ordinal()].incrementAndGet();
    }

    public void moved(State from, State to) {
        byState[from.ordinal()].decrementAndGet();
        byState[to.ordinal()].incrementAndGet();
    }

    public void closed(State s) {
        active.decrementAndGet();
        byState[s.ordinal()].decrementAndGet();
    }

    public void request() {
        requests.incrementAndGet();
    }

    public long accepted() {
        return accepted.get();
    }

    public long handled() {
        return handled.get();
    }

    public long requests() {
        return requests.get();
    }

    public int active() {
        return active.get();
    }

    public int count(State s) {
        return byState[s.ordinal()].get();
    }

    /** From now on a connection serves the request it was opened for, if any is still to come, and then closes. */
    public void quit() {
        quitting = true;
    }

    public boolean quitting() {
        return quitting;
    }
}
