package io.ferry.http;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** HTTP dates: the IMF-fixdate of the current second, formatted once per second per thread rather than per response. */
public final class HttpDate {
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
            text[0] = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        }
        return text[0];
    }

    /** Seconds since the epoch of an HTTP date, or -1 when it does not parse (nginx's ngx_parse_http_time). */
    public static long parse(String value) {
        try {
            return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
        } catch (java.time.format.DateTimeParseException e) {
            return -1;
        }
    }
}
