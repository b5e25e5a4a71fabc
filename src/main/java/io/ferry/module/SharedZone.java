package io.ferry.module;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A {@code zone=NAME:SIZE} parameter (nginx's shared memory zone) and the state kept under it. Ferry
 * is one process, so the state is a JVM-wide object shared by every event loop; as nginx reuses a
 * zone's memory across a reload when its name and size stay the same, the state is kept too then.
 */
public record SharedZone(String name, long size) {
    /** nginx's documented cost of one state: "one megabyte zone can keep about 16 thousand 64-byte states". */
    private static final int STATE_BYTES = 64;
    /** nginx refuses a zone smaller than 8 pages. */
    private static final long MIN_SIZE = 8 * 4096;
    private static final Map<String, Kept> KEPT = new ConcurrentHashMap<>();

    private record Kept(long size, Object state) {
    }

    /** The zone= argument of {@code d}, with nginx's errors; null when {@code arg} is not one. */
    public static SharedZone parse(Directive d, String arg) throws ConfException {
        if (!arg.startsWith("zone=")) {
            return null;
        }
        int colon = arg.indexOf(':');
        if (colon < 0) {
            throw Values.error(d, "invalid zone size \"" + arg + "\"");
        }
        String size = arg.substring(colon + 1);
        long bytes;
        try {
            bytes = size.matches("[0-9]+[kKmM]?") ? Values.size(d, size) : -1;
        } catch (ConfException e) {
            bytes = -1;
        }
        if (bytes < 0) {
            throw Values.error(d, "invalid zone size \"" + arg + "\"");
        }
        if (bytes < MIN_SIZE) {
            throw Values.error(d, "zone \"" + arg.substring(5) + "\" is too small");
        }
        return new SharedZone(arg.substring(5, colon), bytes);
    }

    /** How many states fit in the zone. */
    public int capacity() {
        return (int) Math.min(Integer.MAX_VALUE, size / STATE_BYTES);
    }

    /**
     * The state of this zone for a module ({@code kind}): the one the previous configuration used
     * when its name and size are the same, else a fresh one.
     */
    @SuppressWarnings("unchecked")
    public <T> T state(String kind, Supplier<T> fresh) {
        Kept k = KEPT.compute(kind + ' ' + name,
                (key, old) -> old != null && old.size == size ? old : new Kept(size, fresh.get()));
        return (T) k.state;
    }
}
