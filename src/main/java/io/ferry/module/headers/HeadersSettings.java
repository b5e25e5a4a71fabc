package io.ferry.module.headers;

import io.ferry.variable.Template;
import java.util.List;

/**
 * add_header lines, add_trailer lines (each from the nearest level that has any of its own) and
 * expires. All apply to 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308 responses; a line
 * with {@code always} to every response.
 */
record HeadersSettings(List<Added> added, List<Added> trailers, Expires expires) {
    static final HeadersSettings NONE = new HeadersSettings(List.of(), List.of(), null);

    record Added(String name, Template value, boolean always) {
    }
}
