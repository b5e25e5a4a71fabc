package io.ferry.upstream;

import io.ferry.model.Upstream;
import java.util.Collection;
import java.util.HashSet;
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

    public void drainAll() {
        retainOnly(Set.of());
    }
}
