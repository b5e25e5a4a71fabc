package io.ferry.conf.directive;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** nginx's value syntaxes (flags, sizes, times), each failing with nginx's message and the directive's file:line. */
final class Values {
    private static final Pattern TIME_PART = Pattern.compile("(\\d+)(ms|y|M|w|d|h|m|s)?");

    private Values() {
    }

    static ConfException invalid(Directive d, String value) {
        return error(d, "invalid value \"" + value + "\" in \"" + d.name() + "\" directive");
    }

    static ConfException error(Directive d, String detail) {
        return new ConfException(detail, d.file(), d.line());
    }

    static boolean flag(Directive d) throws ConfException {
        String v = d.args().get(0);
        if (v.equalsIgnoreCase("on")) {
            return true;
        }
        if (v.equalsIgnoreCase("off")) {
            return false;
        }
        throw error(d, "invalid value \"" + v + "\" in \"" + d.name() + "\" directive, it must be \"on\" or \"off\"");
    }

    static long size(Directive d, String v) throws ConfException {
        if (v.isEmpty()) {
            throw invalid(d, v);
        }
        long unit = switch (Character.toLowerCase(v.charAt(v.length() - 1))) {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            case 'g' -> 1024L * 1024 * 1024;
            default -> 1;
        };
        String digits = unit == 1 ? v : v.substring(0, v.length() - 1);
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(d, v);
        }
    }

    /** "60", "60s", "1m30s", "500ms", "1h" — nginx's time syntax. */
    static Duration time(Directive d, String v) throws ConfException {
        Matcher m = TIME_PART.matcher(v);
        long millis = 0;
        int pos = 0;
        while (pos < v.length()) {
            if (!m.find(pos) || m.start() != pos) {
                throw invalid(d, v);
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            millis += n * switch (unit) {
                case "ms" -> 1L;
                case "s" -> 1000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                case "d" -> 86_400_000L;
                case "w" -> 7 * 86_400_000L;
                case "M" -> 30 * 86_400_000L;
                default -> 365 * 86_400_000L;
            };
            pos = m.end();
        }
        if (v.isEmpty()) {
            throw invalid(d, v);
        }
        return Duration.ofMillis(millis);
    }

    static int positiveInt(Directive d, String v) throws ConfException {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(d, v);
    }
}
