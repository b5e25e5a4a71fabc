package io.ferry.upstream;

import io.ferry.resolver.GroupResolver;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live upstream groups, keyed by their configuration: a reload that keeps a group unchanged
 * keeps its peer state and pooled connections; groups that disappear are drained.
 */
public final class Upstreams {
    private final Map<Upstream, UpstreamGroup> groups = new ConcurrentHashMap<>();

    public UpstreamGroup group(Upstream config) {
        return groups.computeIfAbsent(config, c -> {
            UpstreamGroup g = new UpstreamGroup(c);
            GroupResolver.start(g);
            return g;
        });
    }

    public void retainOnly(Collection<Upstream> live) {
        Set<Upstream> keep = new HashSet<>(live);
        groups.entrySet().removeIf(e -> {
            if (keep.contains(e.getKey())) {
                return false;
            }
            e.getValue().drain();
            return true;
        });
        // names are resolved from the start, as nginx's workers do, not from a group's first request
        keep.stream().filter(u -> !u.resolve().isEmpty()).forEach(this::group);
    }

    /** The live groups, for status pages and tests that look at peer state. */
    public Collection<UpstreamGroup> groups() {
        return List.copyOf(groups.values());
    }

    public void drainAll() {
        retainOnly(Set.of());
    }
}
