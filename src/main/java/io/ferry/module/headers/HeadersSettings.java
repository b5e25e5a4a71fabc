package io.ferry.module.headers;

import io.ferry.variable.Template;
import java.util.List;

/**
 * add_header lines (the nearest level that has any) and expires. Both apply to 200, 201, 204,
 * 206, 301, 302, 303, 304, 307 and 308 responses; add_header ... always to every response.
 */
record HeadersSettings(List<Added> added, Expires expires) {
    static final HeadersSettings NONE = new HeadersSettings(List.of(), null);

    record Added(String name, Template value, boolean always) {
    }
}
