package io.ferry.module.geo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * geo's {@code ranges} mode as nginx keeps it: IPv4 ranges cut at /16 boundaries, each /16 holding
 * its pieces in order. A new range must fall in a gap or inside one existing range (it then takes
 * over that part); any other overlap is refused, and a delete removes only a piece written exactly.
 */
final class GeoRanges {
    /** A piece of a range within one /16: the low 16 bits of its ends. */
    private static final class Piece {
        int start;
        int end;
        String value;

        Piece(int start, int end, String value) {
            this.start = start;
            this.end = end;
            this.value = value;
        }
    }

    /** What adding a range found: its value is set, or it replaced a duplicate, or it overlaps another. */
    record Added(String duplicateOf, String overlaps) {
    }

    private final Map<Integer, List<Piece>> high = new HashMap<>();

    /** Adds {@code start..end} (inclusive, unsigned); stops at the first overlap, as nginx does. */
    Added add(long start, long end, String value) {
        String duplicate = null;
        for (long n = start; n <= end; n = (n + 0x10000) & 0xffff0000L) {
            int s = n == start ? (int) (n & 0xffff) : 0;
            int e = (n | 0xffff) > end ? (int) (end & 0xffff) : 0xffff;
            List<Piece> pieces = high.computeIfAbsent((int) (n >>> 16), h -> new ArrayList<>());
            int i = pieces.size();
            boolean placed = false;
            while (i > 0 && !placed) {
                i--;
                Piece r = pieces.get(i);
                if (e < r.start) {
                    continue;
                }
                if (s > r.end) {
                    pieces.add(i + 1, new Piece(s, e, value));
                } else if (s == r.start && e == r.end) {
                    duplicate = r.value;
                    r.value = value;
                } else if (s > r.start && e < r.end) {
                    pieces.add(i + 1, new Piece(s, e, value));
                    pieces.add(i + 2, new Piece(e + 1, r.end, r.value));
                    r.end = s - 1;
                } else if (s == r.start && e < r.end) {
                    pieces.add(i, new Piece(s, e, value));
                    r.start = e + 1;
                } else if (s > r.start && e == r.end) {
                    pieces.add(i + 1, new Piece(s, e, value));
                    r.end = s - 1;
                } else {
                    long h = n & 0xffff0000L;
                    return new Added(null, address(h | r.start) + "-" + address(h | r.end));
                }
                placed = true;
            }
            if (!placed) {
                pieces.add(0, new Piece(s, e, value));
            }
            if (n == 0xffff0000L) {
                break;
            }
        }
        return new Added(duplicate, null);
    }

    /** Deletes the pieces {@code start..end} was cut into; false when some piece was not there. */
    boolean delete(long start, long end) {
        boolean all = true;
        for (long n = start; n <= end; n = (n + 0x10000) & 0xffff0000L) {
            int s = n == start ? (int) (n & 0xffff) : 0;
            int e = (n | 0xffff) > end ? (int) (end & 0xffff) : 0xffff;
            List<Piece> pieces = high.get((int) (n >>> 16));
            if (pieces == null || !pieces.removeIf(r -> r.start == s && r.end == e)) {
                all = false;
            }
            if (n == 0xffff0000L) {
                break;
            }
        }
        return all;
    }

    /** The value of the range holding {@code address} (unsigned), or null. */
    String find(long address) {
        List<Piece> pieces = high.get((int) (address >>> 16));
        if (pieces != null) {
            int low = (int) (address & 0xffff);
            for (Piece r : pieces) {
                if (low >= r.start && low <= r.end) {
                    return r.value;
                }
            }
        }
        return null;
    }

    static String address(long a) {
        return (a >>> 24 & 0xff) + "." + (a >>> 16 & 0xff) + "." + (a >>> 8 & 0xff) + "." + (a & 0xff);
    }
}
