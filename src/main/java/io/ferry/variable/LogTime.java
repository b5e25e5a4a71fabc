package io.ferry.variable;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The time variables as nginx formats them, in the server's time zone. */
final class LogTime {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US)
            .withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx", Locale.US)
            .withZone(ZoneId.systemDefault());

    private LogTime() {
    }

    static String msec() {
        long now = System.currentTimeMillis();
        return String.format(Locale.ROOT, "%d.%03d", now / 1000, now % 1000);
    }

    static String local() {
        return LOCAL.format(Instant.now());
    }

    static String iso8601() {
        return ISO.format(Instant.now());
    }
}
