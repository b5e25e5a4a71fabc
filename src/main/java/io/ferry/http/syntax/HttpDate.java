package io.ferry.http.syntax;

import io.ferry.variable.Seconds;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** HTTP dates: the IMF-fixdate of the current second, formatted once per second per thread rather than per response. */
public final class HttpDate {
    /** IMF-fixdate: unlike the JDK's RFC 1123 form, the day always has two digits (RFC 9110 5.6.7). */
    private static final DateTimeFormatter FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final ThreadLocal<long[]> SECOND = ThreadLocal.withInitial(() -> new long[] {-1});
    private static final ThreadLocal<String[]> TEXT = ThreadLocal.withInitial(() -> new String[1]);

    private HttpDate() {
    }

    public static String now() {
        long sec = System.currentTimeMillis() / 1000;
        long[] cached = SECOND.get();
        String[] text = TEXT.get();
        if (cached[0] != sec) {
            cached[0] = sec;
            text[0] = FIXDATE.format(Instant.ofEpochSecond(sec));
        }
        return text[0];
    }

    /** An IMF-fixdate for a moment given in epoch seconds. */
    public static String format(long epochSecond) {
        return FIXDATE.format(Instant.ofEpochSecond(epochSecond));
    }

    /** Seconds since the epoch of an HTTP date, or -1 when absent or not a date (nginx's ngx_parse_http_time). */
    public static long parse(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
        } catch (java.time.format.DateTimeParseException e) {
            return -1;
        }
    }
}
