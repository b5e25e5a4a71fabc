package io.ferry.module.sub;

import io.ferry.variable.ConnectionScope;
import io.ferry.variable.Template;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One level's sub_filter settings: the search and replacement pairs in the order written,
 * {@code types} null for "*".
 */
record SubSettings(List<Rule> rules, Set<String> types, boolean once, boolean lastModified) {
    static final Set<String> DEFAULT_TYPES = Set.of("text/html");
    static final SubSettings DEFAULT = new SubSettings(List.of(), DEFAULT_TYPES, true, false);

    /** One sub_filter line; both sides may hold variables, valued once per response. */
    record Rule(Template search, Template replacement) {
    }

    boolean processes(String mediaType) {
        return types == null || types.contains(mediaType);
    }

    /** The matcher for one response, or null when every search string came out empty. */
    SubMatcher matcher(ConnectionScope scope) {
        List<byte[]> patterns = new ArrayList<>();
        List<byte[]> replacements = new ArrayList<>();
        for (Rule r : rules) {
            byte[] search = r.search().render(scope).getBytes(StandardCharsets.UTF_8);
            if (search.length == 0) {
                continue;
            }
            for (int i = 0; i < search.length; i++) {
                search[i] = SubMatcher.lower(search[i]);
            }
            patterns.add(search);
            replacements.add(r.replacement().render(scope).getBytes(StandardCharsets.UTF_8));
        }
        if (patterns.isEmpty()) {
            return null;
        }
        return new SubMatcher(patterns.toArray(byte[][]::new), replacements.toArray(byte[][]::new), once);
    }
}
