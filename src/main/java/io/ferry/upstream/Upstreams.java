package io.ferry.upstream;

import io.ferry.upstream.Upstream;
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
        return groups.computeIfAbsent(config, UpstreamGroup::new);
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
    }

    /** The live groups, for status pages and tests that look at peer state. */
    public Collection<UpstreamGroup> groups() {
        return List.copyOf(groups.values());
    }

    public void drainAll() {
        retainOnly(Set.of());
    }
}
