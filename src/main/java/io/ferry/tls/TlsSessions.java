package io.ferry.tls;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import java.util.function.Function;

/**
 * How a server resumes TLS sessions: ssl_session_cache, ssl_session_timeout and ssl_session_tickets.
 * {@code cacheSize} counts sessions (0 for off and none); {@code zone} is the shared zone's name or
 * null. A shared zone's bytes are counted as nginx sizes them, about 4000 sessions a megabyte.
 */
public record TlsSessions(Cache cache, int cacheSize, String zone, long timeoutSeconds, boolean tickets) {

    /** off tells clients sessions cannot be resumed; none lets them try, but nothing is kept. */
    public enum Cache { OFF, NONE, ON }

    static final TlsSessions DEFAULT = new TlsSessions(Cache.NONE, 0, null, 300, true);

    /** nginx's default builtin cache size, in sessions. */
    private static final int BUILTIN_SIZE = 20480;
    /** nginx refuses a shared zone smaller than eight pages. */
    private static final long MIN_ZONE = 8 * 4096;
    private static final long SESSIONS_PER_MEGABYTE = 4000;

    public static TlsSessions parse(Function<String, Directive> inherited) throws ConfException {
        Cache cache = Cache.NONE;
        long size = 0;
        String zone = null;
        Directive d = inherited.apply("ssl_session_cache");
        if (d != null) {
            for (String arg : d.args()) {
                if (arg.equals("off") || arg.equals("none")) {
                    cache = arg.equals("off") ? Cache.OFF : Cache.NONE;
                    size = 0;
                } else if (arg.equals("builtin")) {
                    cache = Cache.ON;
                    size += BUILTIN_SIZE;
                } else if (arg.startsWith("builtin:")) {
                    cache = Cache.ON;
                    size += count(d, arg, arg.substring(8));
                } else if (arg.startsWith("shared:")) {
                    int colon = arg.indexOf(':', 7);
                    if (colon <= 7) {
                        throw invalid(d, arg);
                    }
                    long bytes;
                    try {
                        bytes = Values.size(d, arg.substring(colon + 1));
                    } catch (ConfException e) {
                        throw invalid(d, arg);
                    }
                    if (bytes < MIN_ZONE) {
                        throw Values.error(d, "session cache \"" + arg + "\" is too small");
                    }
                    cache = Cache.ON;
                    zone = arg.substring(7, colon);
                    size += Math.max(1, bytes * SESSIONS_PER_MEGABYTE / (1024 * 1024));
                } else {
                    throw invalid(d, arg);
                }
            }
        }
        Directive timeout = inherited.apply("ssl_session_timeout");
        long seconds = timeout == null ? DEFAULT.timeoutSeconds : Values.time(timeout, timeout.args().get(0)).toSeconds();
        Directive tickets = inherited.apply("ssl_session_tickets");
        return new TlsSessions(cache, (int) Math.min(Integer.MAX_VALUE, size), zone, seconds,
                tickets == null || Values.flag(tickets));
    }

    private static long count(Directive d, String arg, String number) throws ConfException {
        try {
            long n = Long.parseLong(number);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below in nginx's words
        }
        throw invalid(d, arg);
    }

    private static ConfException invalid(Directive d, String arg) {
        return Values.error(d, "invalid session cache \"" + arg + "\"");
    }
}
