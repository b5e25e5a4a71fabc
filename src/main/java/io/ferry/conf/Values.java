package io.ferry.conf;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** nginx's value syntaxes (flags, sizes, times), each failing with nginx's message and the directive's file:line. */
public final class Values {
    private static final Pattern TIME_PART = Pattern.compile("(\\d{1,9})(ms|y|M|w|d|h|m|s)?");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})([kKmMgG])?");

    private Values() {
    }

    /** An enumeration or bit mask value nginx does not know: {@code invalid value "x"}. */
    public static ConfException invalid(Directive d, String value) {
        return error(d, "invalid value \"" + value + "\"");
    }

    /** A size, time or number slot that does not parse: nginx's {@code "name" directive invalid value}. */
    private static ConfException slot(Directive d, String what) {
        return error(d, "\"" + d.name() + "\" directive " + what);
    }

    public static ConfException error(Directive d, String detail) {
        return new ConfException(detail, d.file(), d.line());
    }

    public static boolean flag(Directive d) throws ConfException {
        String v = d.args().get(0);
        if (v.equalsIgnoreCase("on")) {
            return true;
        }
        if (v.equalsIgnoreCase("off")) {
            return false;
        }
        throw error(d, "invalid value \"" + v + "\" in \"" + d.name() + "\" directive, it must be \"on\" or \"off\"");
    }

    public static long size(Directive d, String v) throws ConfException {
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            throw slot(d, "invalid value");
        }
        long unit = m.group(2) == null ? 1 : switch (Character.toLowerCase(m.group(2).charAt(0))) {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            default -> 1024L * 1024 * 1024;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw slot(d, "invalid value");
        }
    }

    /**
     * nginx's time syntax: "60", "60s", "1m30s", "1h 30m", "500ms"; units from largest to smallest,
     * each at most once.
     */
    public static Duration time(Directive d, String v) throws ConfException {
        long millis = millis(v, false);
        if (millis < 0) {
            throw slot(d, "invalid value");
        }
        return Duration.ofMillis(millis);
    }

    /** nginx's time syntax in whole seconds ("ms" refused), or -1: for values known only per request. */
    public static long seconds(String v) {
        long millis = millis(v, true);
        return millis < 0 ? -1 : millis / 1000;
    }

    private static long millis(String v, boolean wholeSeconds) {
        Matcher m = TIME_PART.matcher(v);
        long millis = 0;
        int pos = 0;
        long lastUnit = Long.MAX_VALUE;
        boolean any = false;
        while (pos < v.length()) {
            if (v.charAt(pos) == ' ') {
                pos++;
                continue;
            }
            if (!m.find(pos) || m.start() != pos) {
                return -1;
            }
            long unit = switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> 1L;
                case "s" -> 1000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                case "d" -> 86_400_000L;
                case "w" -> 7 * 86_400_000L;
                case "M" -> 30 * 86_400_000L;
                default -> 365 * 86_400_000L;
            };
            if (unit >= lastUnit || (wholeSeconds && unit == 1L)) {
                return -1;
            }
            lastUnit = unit;
            try {
                millis = Math.addExact(millis, Math.multiplyExact(Long.parseLong(m.group(1)), unit));
            } catch (ArithmeticException e) {
                return -1;
            }
            pos = m.end();
            any = true;
        }
        return any ? millis : -1;
    }

    public static int positiveInt(Directive d, String v) throws ConfException {
        if (v.chars().allMatch(Character::isDigit) && !v.isEmpty() && v.length() < 10 && Integer.parseInt(v) > 0) {
            return Integer.parseInt(v);
        }
        throw slot(d, "invalid number");
    }

    /** A number slot with nginx's bounds check (limit_req_status, limit_conn_status: 400..599). */
    public static int between(Directive d, int min, int max) throws ConfException {
        String v = d.args().get(0);
        if (!v.matches("[0-9]{1,9}")) {
            throw slot(d, "invalid number");
        }
        int n = Integer.parseInt(v);
        if (n < min || n > max) {
            throw error(d, "value must be between " + min + " and " + max);
        }
        return n;
    }

    /**
     * A bit mask directive (proxy_next_upstream and kin): keywords naming constants of {@code type}
     * among {@code allowed}, or "off" alone for none.
     */
    public static <E extends Enum<E>> java.util.EnumSet<E> keywords(Directive d, Class<E> type, java.util.Set<E> allowed)
            throws ConfException {
        java.util.EnumSet<E> out = java.util.EnumSet.noneOf(type);
        for (String arg : d.args()) {
            if (arg.equals("off") && d.args().size() == 1) {
                continue;
            }
            E value;
            try {
                value = Enum.valueOf(type, arg.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw invalid(d, arg);
            }
            if (!allowed.contains(value)) {
                throw invalid(d, arg);
            }
            out.add(value);
        }
        return out;
    }

    /** The "NUMBER SIZE" of a *_buffers directive, checked as nginx's ngx_conf_set_bufs_slot does. */
    public static void buffers(Directive d) throws ConfException {
        positiveInt(d, d.args().get(0));
        size(d, d.args().get(1));
    }
}
