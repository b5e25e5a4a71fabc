package io.ferry.module.range;

import java.util.ArrayList;
import java.util.List;

/**
 * The ranges of a {@code Range: bytes=...} header, read as nginx's range filter reads them: a list
 * of first-last and suffix ranges separated by commas, last positions past the end cut to the end,
 * ranges starting past the end dropped. A syntax error or nothing left is unsatisfiable (416);
 * more ranges than max_ranges, a range from byte 0 of an empty body, or ranges adding up to more
 * than the body mean the whole response is sent instead (an overlapping request could otherwise
 * ask for the same bytes many times over).
 */
public final class ByteRanges {
    /** One range, {@code start} inclusive and {@code end} exclusive. */
    public record Range(long start, long end) {
        public long length() {
            return end - start;
        }
    }

    /** The answer: send these ranges, send the whole response, or answer 416. */
    public sealed interface Outcome permits Partial, Whole, NotSatisfiable {
    }

    public record Partial(List<Range> ranges) implements Outcome {
    }

    public record Whole() implements Outcome {
    }

    public record NotSatisfiable() implements Outcome {
    }

    static final Outcome WHOLE = new Whole();
    static final Outcome NOT_SATISFIABLE = new NotSatisfiable();

    private ByteRanges() {
    }

    /**
     * Reads {@code spec}, the header's value after "bytes=", for a body of {@code length} bytes,
     * allowing at most {@code maxRanges} ranges.
     */
    public static Outcome parse(String spec, long length, int maxRanges) {
        List<Range> ranges = new ArrayList<>();
        long size = 0;
        int p = 0;
        int n = spec.length();
        while (true) {
            long start = 0;
            long end;
            boolean suffix = false;
            boolean open = false;
            p = spaces(spec, p);
            if (at(spec, p) != '-') {
                if (!digit(at(spec, p))) {
                    return NOT_SATISFIABLE;
                }
                int from = p;
                p = digits(spec, p);
                start = number(spec, from, p);
                p = spaces(spec, p);
                if (start < 0 || at(spec, p++) != '-') {
                    return NOT_SATISFIABLE;
                }
                p = spaces(spec, p);
                open = p >= n || spec.charAt(p) == ',';
            } else {
                suffix = true;
                p++;
            }
            if (open) {
                end = length;
            } else {
                if (!digit(at(spec, p))) {
                    return NOT_SATISFIABLE;
                }
                int from = p;
                p = digits(spec, p);
                end = number(spec, from, p);
                p = spaces(spec, p);
                if (end < 0 || p < n && spec.charAt(p) != ',') {
                    return NOT_SATISFIABLE;
                }
                if (suffix) {
                    start = end < length ? length - end : 0;
                    end = length - 1;
                }
                end = end >= length ? length : end + 1;
            }
            if (start < end) {
                if (size > Long.MAX_VALUE - (end - start)) {
                    return NOT_SATISFIABLE;
                }
                ranges.add(new Range(start, end));
                size += end - start;
                if (ranges.size() > maxRanges) {
                    return WHOLE;
                }
            } else if (start == 0) {
                return WHOLE;
            }
            if (at(spec, p++) != ',') {
                break;
            }
        }
        if (ranges.isEmpty()) {
            return NOT_SATISFIABLE;
        }
        return size > length ? WHOLE : new Partial(List.copyOf(ranges));
    }

    private static char at(String s, int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int spaces(String s, int p) {
        while (p < s.length() && s.charAt(p) == ' ') {
            p++;
        }
        return p;
    }

    private static int digits(String s, int p) {
        while (p < s.length() && digit(s.charAt(p))) {
            p++;
        }
        return p;
    }

    /** The decimal, or -1 when it does not fit a long (nginx's off_t overflow check answers 416). */
    private static long number(String s, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = s.charAt(i) - '0';
            if (v > (Long.MAX_VALUE - d) / 10) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }
}
