package io.ferry.module.charset;

import io.ferry.variable.Template;
import java.util.Set;

/**
 * One level's charset directives: {@code charset} and {@code source} are null when off; {@code types}
 * holds "*" for any type; {@code maps} are the configuration's charset_map tables.
 */
record CharsetSettings(Template charset, Set<String> types, Template source, boolean override, CharsetMaps maps) {
    boolean matches(String mimeType) {
        return types.contains("*") || types.contains(mimeType);
    }
}
