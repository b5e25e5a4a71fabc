package io.ferry.model;

import io.ferry.variable.Template;
import java.time.Duration;
import java.util.List;

/**
 * add_header lines (the nearest level that has any) and expires. Both apply to 200, 201, 204,
 * 206, 301, 302, 303, 304, 307 and 308 responses; add_header ... always to every response.
 */
public record ResponseHeaders(List<Added> added, Expires expires) {
    public static final ResponseHeaders NONE = new ResponseHeaders(List.of(), null);

    public record Added(String name, Template value, boolean always) {
    }

    /** expires: {@code epoch}, {@code max}, or an offset from now (negative = no-cache). */
    public record Expires(Kind kind, Duration offset) {
        public enum Kind { OFFSET, EPOCH, MAX }
    }
}
