package io.ferry.files;

/**
 * One byte range of a {@code Range: bytes=...} header (RFC 9110 section 14.1.2), {@code start} and
 * {@code end} inclusive. Several ranges, another unit, or invalid syntax mean the header is ignored
 * (the full file is sent, as the RFC allows); a range that starts beyond the end is unsatisfiable.
 */
record ByteRange(long start, long end) {
    static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

    long length() {
        return end - start + 1;
    }

    String contentRange(long total) {
        return "bytes " + start + "-" + end + "/" + total;
    }

    /** The range to send, {@link #UNSATISFIABLE}, or null to ignore the header. */
    static ByteRange parse(String header, long length) {
        if (header == null || !header.regionMatches(true, 0, "bytes=", 0, 6)) {
            return null;
        }
        String spec = header.substring(6).trim();
        if (spec.indexOf(',') >= 0) {
            return null;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String first = spec.substring(0, dash).trim();
        String last = spec.substring(dash + 1).trim();
        if (first.isEmpty()) {
            if (!digits(last)) {
                return null;
            }
            long suffix = number(last);
            if (suffix == 0 || length == 0) {
                return UNSATISFIABLE;
            }
            return new ByteRange(Math.max(0, length - suffix), length - 1);
        }
        if (!digits(first) || !(last.isEmpty() || digits(last))) {
            return null;
        }
        long start = number(first);
        long end = last.isEmpty() ? Long.MAX_VALUE : number(last);
        if (end < start) {
            return null;
        }
        if (start >= length) {
            return UNSATISFIABLE;
        }
        return new ByteRange(start, Math.min(end, length - 1));
    }

    private static boolean digits(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** A decimal too large for a long is as good as infinite here. */
    private static long number(String s) {
        String t = s.replaceFirst("^0+(?=.)", "");
        return t.length() > 18 ? Long.MAX_VALUE : Long.parseLong(t);
    }
}
