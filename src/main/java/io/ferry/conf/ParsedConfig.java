package io.ferry.conf;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed tree plus the text of every file that was read, in read order, each once (what {@code -T} dumps after
 * {@code # configuration file PATH:}).
 */
public record ParsedConfig(List<Directive> directives, Map<Path, String> sources) {
    public ParsedConfig {
        directives = List.copyOf(directives);
        // Map.copyOf would lose the read order that -T must reproduce.
        sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    }
}
