package io.ferry.module.headers;

import io.ferry.conf.Values;
import io.ferry.http.syntax.HttpDate;
import io.ferry.variable.ConnectionScope;
import io.ferry.variable.Template;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * expires as nginx's headers module reads it: a mode and a time in seconds, or a value with variables,
 * parsed per request (a value that does not parse then sets nothing).
 */
record Expires(Kind kind, long seconds, Template value) {
    enum Kind { ACCESS, MODIFIED, DAILY, EPOCH, MAX, OFF }

    private static final long DAY = 24 * 60 * 60;

    /**
     * nginx's ngx_http_parse_expires: {@code epoch}, {@code max}, {@code off} (not after
     * {@code modified}), {@code @time} of day, or a signed time.
     */
    static Expires parse(String v, Kind kind) {
        if (kind != Kind.MODIFIED) {
            switch (v) {
                case "epoch" -> {
                    return new Expires(Kind.EPOCH, 0, null);
                }
                case "max" -> {
                    return new Expires(Kind.MAX, 0, null);
                }
                case "off" -> {
                    return new Expires(Kind.OFF, 0, null);
                }
                default -> {
                }
            }
        }
        boolean minus = false;
        if (v.startsWith("@")) {
            if (kind == Kind.MODIFIED) {
                throw new IllegalArgumentException("daily time cannot be used with \"modified\" parameter");
            }
            kind = Kind.DAILY;
            v = v.substring(1);
        } else if (v.startsWith("+") || v.startsWith("-")) {
            minus = v.startsWith("-");
            v = v.substring(1);
        }
        long seconds = Values.seconds(v);
        if (seconds < 0) {
            throw new IllegalArgumentException("invalid value");
        }
        if (kind == Kind.DAILY && seconds > DAY) {
            throw new IllegalArgumentException("daily time value must be less than 24 hours");
        }
        return new Expires(kind, minus ? -seconds : seconds, null);
    }

    /** nginx's ngx_http_set_expires: Expires and one Cache-Control, from now, Last-Modified or the time of day. */
    void apply(HttpHeaders headers, ConnectionScope request) {
        Expires e = this;
        if (value != null) {
            try {
                e = parse(value.render(request), kind);
            } catch (IllegalArgumentException invalid) {
                return;
            }
            if (e.kind == Kind.OFF) {
                return;
            }
        }
        switch (e.kind) {
            case EPOCH -> set(headers, "Thu, 01 Jan 1970 00:00:01 GMT", "no-cache");
            case MAX -> set(headers, "Thu, 31 Dec 2037 23:55:55 GMT", "max-age=315360000");
            default -> {
                if (e.seconds == 0 && e.kind != Kind.DAILY) {
                    set(headers, HttpDate.now(), "max-age=0");
                    return;
                }
                long now = System.currentTimeMillis() / 1000;
                long lastModified = HttpDate.parse(headers.get("Last-Modified"));
                long at;
                long maxAge;
                if (e.kind == Kind.DAILY) {
                    at = nextTime(e.seconds, now);
                    maxAge = at - now;
                } else if (e.kind == Kind.ACCESS || lastModified == -1) {
                    maxAge = e.seconds;
                    at = now + e.seconds;
                } else {
                    at = lastModified + e.seconds;
                    maxAge = at - now;
                }
                // nginx looks at the configured time here, not one a variable gave
                set(headers, HttpDate.format(at), seconds < 0 || maxAge < 0 ? "no-cache" : "max-age=" + maxAge);
            }
        }
    }

    /** nginx's ngx_next_time: that time of day in the local zone, today if still ahead, else tomorrow. */
    private static long nextTime(long secondOfDay, long now) {
        ZonedDateTime midnight = ZonedDateTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.DAYS);
        long next = midnight.plusSeconds(secondOfDay).toEpochSecond();
        return next > now ? next : midnight.plusDays(1).plusSeconds(secondOfDay).toEpochSecond();
    }

    private static void set(HttpHeaders headers, String expires, String cacheControl) {
        headers.set("Expires", expires);
        headers.set("Cache-Control", cacheControl);
    }
}
