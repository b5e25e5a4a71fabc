package io.ferry.variable;

import java.util.ArrayList;
import io.ferry.model.Slot;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * nginx's {@code map}: exact keys first (case-insensitive), then with {@code hostnames} the
 * wildcard names, then regexes in the order written, else the default. As in nginx, a request
 * keeps the first value it found (across internal redirects too) unless the map is {@code volatile}.
 */
public final class MapVariable implements Variable {
    /** The values a request found so far, per map. */
    private static final Slot<Map<MapVariable, String>> FOUND = new Slot<>();

    private Template source;
    private final Map<String, Template> exact = new HashMap<>();
    private final List<Map.Entry<String, Template>> leadingWildcards = new ArrayList<>();
    private final List<Map.Entry<String, Template>> trailingWildcards = new ArrayList<>();
    private final List<Map.Entry<Regex, Template>> regexes = new ArrayList<>();
    private Template defaultValue;
    private boolean hostnames;
    private boolean volatileValue;

    public void source(Template source) {
        this.source = source;
    }

    public void hostnames() {
        this.hostnames = true;
    }

    /** {@code volatile}: looked up again at every use. */
    public void volatileValue() {
        this.volatileValue = true;
    }

    public void defaultValue(Template value) {
        this.defaultValue = value;
    }

    /** Adds one entry; returns false when an exact key is duplicated (nginx: "conflicting parameter"). */
    public boolean add(String key, Template value) {
        if (key.startsWith("~*")) {
            regexes.add(Map.entry(Regex.compile(key.substring(2), true), value));
            return true;
        }
        if (key.startsWith("~")) {
            regexes.add(Map.entry(Regex.compile(key.substring(1), false), value));
            return true;
        }
        if (key.startsWith("\\")) {
            key = key.substring(1);
        }
        String lower = key.toLowerCase(Locale.ROOT);
        if (hostnames && lower.startsWith("*.")) {
            leadingWildcards.add(Map.entry(lower.substring(1), value));
            return true;
        }
        if (hostnames && lower.startsWith(".")) {
            exact.putIfAbsent(lower.substring(1), value);
            leadingWildcards.add(Map.entry(lower, value));
            return true;
        }
        if (hostnames && lower.endsWith(".*")) {
            trailingWildcards.add(Map.entry(lower.substring(0, lower.length() - 1), value));
            return true;
        }
        return exact.putIfAbsent(lower, value) == null;
    }

    @Override
    public String value(RequestScope scope) {
        return value((SessionScope) scope);
    }

    private String value(SessionScope scope) {
        if (volatileValue) {
            return lookup(scope);
        }
        Map<MapVariable, String> found = scope.moduleContext(FOUND);
        if (found != null && found.containsKey(this)) {
            return found.get(this);
        }
        String value = lookup(scope);
        if (found == null) {
            found = new IdentityHashMap<>(4);
            scope.moduleContext(FOUND, found);
        }
        found.put(this, value);
        return value;
    }

    /** A request's or a stream session's, kept with it; found anew for a scope that keeps nothing. */
    @Override
    public String value(ConnectionScope scope) {
        return scope instanceof SessionScope session ? value(session) : lookup(scope);
    }

    private String lookup(ConnectionScope scope) {
        String in = source.render(scope);
        String key = in.toLowerCase(Locale.ROOT);
        if (hostnames && key.endsWith(".")) {
            key = key.substring(0, key.length() - 1);
        }
        Template hit = exact.get(key);
        if (hit == null && hostnames) {
            hit = longestSuffix(key);
            if (hit == null) {
                hit = longestPrefix(key);
            }
        }
        if (hit == null) {
            for (Map.Entry<Regex, Template> e : regexes) {
                Captures m = e.getKey().find(in);
                if (m != null) {
                    if (scope instanceof SessionScope session) {
                        session.captures(m);
                    }
                    return e.getValue().render(scope);
                }
            }
        }
        if (hit == null) {
            hit = defaultValue;
        }
        return hit == null ? "" : hit.render(scope);
    }

    private Template longestSuffix(String key) {
        Map.Entry<String, Template> best = null;
        for (Map.Entry<String, Template> e : leadingWildcards) {
            if (key.endsWith(e.getKey()) && (best == null || e.getKey().length() > best.getKey().length())) {
                best = e;
            }
        }
        return best == null ? null : best.getValue();
    }

    private Template longestPrefix(String key) {
        Map.Entry<String, Template> best = null;
        for (Map.Entry<String, Template> e : trailingWildcards) {
            if (key.startsWith(e.getKey()) && (best == null || e.getKey().length() > best.getKey().length())) {
                best = e;
            }
        }
        return best == null ? null : best.getValue();
    }
}
