package io.ferry.variable;

import java.util.Locale;

/** Durations the way nginx logs them: seconds with millisecond resolution. */
public final class Seconds {
    private Seconds() {
    }

    public static String of(long nanos) {
        long ms = Math.max(0, nanos) / 1_000_000;
        return String.format(Locale.ROOT, "%d.%03d", ms / 1000, ms % 1000);
    }
}
