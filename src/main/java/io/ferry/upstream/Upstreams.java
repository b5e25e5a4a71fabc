package io.ferry.upstream;

import io.ferry.resolver.GroupResolver;
import java.util.Collection;
import java.util.HashMap;
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

    /**
     * The group of {@code config}. A new one whose `server NAME resolve` lines another group also
     * has (the one a reload replaces) starts from the addresses those names have there, so a
     * reload leaves no moment without peers while the names are asked again.
     */
    public UpstreamGroup group(Upstream config) {
        UpstreamGroup existing = groups.get(config);
        if (existing != null) {
            return existing;
        }
        Map<ResolvedName, List<UpstreamServer>> known = new HashMap<>();
        if (!config.resolve().isEmpty()) {
            groups.values().forEach(g -> known.putAll(g.resolvedServers()));
        }
        return groups.computeIfAbsent(config, c -> {
            UpstreamGroup g = new UpstreamGroup(c);
            known.forEach((name, servers) -> {
                if (c.resolve().contains(name)) {
                    g.resolved(name, servers);
                }
            });
            GroupResolver.start(g);
            return g;
        });
    }

    public void retainOnly(Collection<Upstream> live) {
        Set<Upstream> keep = new HashSet<>(live);
        // names are resolved from the start, as nginx's workers do, not from a group's first request
        keep.stream().filter(u -> !u.resolve().isEmpty()).forEach(this::group);
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
