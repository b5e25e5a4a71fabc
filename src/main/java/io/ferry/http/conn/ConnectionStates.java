package io.ferry.http.conn;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Server-wide connection counters, in stub_status's terms, and whether a graceful quit has begun. What
 * changes per request is kept in adders, so that event loops on other cores do not contend for one
 * cache line on every request; they are summed only when stub_status or the metrics read them.
 */
public final class ConnectionStates {
    public enum State { READING, WRITING, WAITING }

    private volatile boolean quitting;

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong handled = new AtomicLong();
    private final LongAdder requests = new LongAdder();
    private final LongAdder active = new LongAdder();
    private final LongAdder[] byState = {new LongAdder(), new LongAdder(), new LongAdder()};

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
        active.increment();
        byState[s.ordinal()].increment();
    }

    public void moved(State from, State to) {
        byState[from.ordinal()].decrement();
        byState[to.ordinal()].increment();
    }

    public void closed(State s) {
        active.decrement();
        byState[s.ordinal()].decrement();
    }

    public void request() {
        requests.increment();
    }

    public long accepted() {
        return accepted.get();
    }

    public long handled() {
        return handled.get();
    }

    public long requests() {
        return requests.sum();
    }

    public int active() {
        return (int) active.sum();
    }

    public int count(State s) {
        return (int) byState[s.ordinal()].sum();
    }

    /** From now on a connection serves the request it was opened for, if any is still to come, and then closes. */
    public void quit() {
        quitting = true;
    }

    public boolean quitting() {
        return quitting;
    }
}
