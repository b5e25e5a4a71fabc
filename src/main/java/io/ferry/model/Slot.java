package io.ferry.model;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A module's place in the per-level {@link ModuleSettings} and in a request's module contexts
 * (nginx's ctx_index): each module that keeps settings or per-request state owns one.
 */
public final class Slot<T> {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private final int index = COUNT.getAndIncrement();

    /** How many slots exist: the size of every settings and context array. */
    public static int count() {
        return COUNT.get();
    }

    public int index() {
        return index;
    }

    @SuppressWarnings("unchecked")
    public T in(ModuleSettings settings) {
        return (T) settings.get(index);
    }
}
