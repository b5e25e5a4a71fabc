package io.ferry.model;

import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamUser;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The settings every module built for one level (http, server, location, if), indexed by {@link Slot}. */
public final class ModuleSettings {
    private final Object[] values;

    public ModuleSettings(Object[] values) {
        this.values = values.clone();
    }

    Object get(int index) {
        return index < values.length ? values[index] : null;
    }

    /**
     * These settings, with {@code enclosing}'s for every module that has none here: how a
     * limit_except block keeps its location's content handler (nginx's upstream modules inherit
     * their handler into it) unless it writes its own proxy_pass.
     */
    public ModuleSettings orElse(ModuleSettings enclosing) {
        Object[] merged = values.clone();
        for (int i = 0; i < merged.length; i++) {
            if (merged[i] == null) {
                merged[i] = enclosing.get(i);
            }
        }
        return new ModuleSettings(merged);
    }

    /** The upstream groups these settings send requests to. */
    public List<Upstream> upstreams() {
        List<Upstream> out = new ArrayList<>();
        for (Object v : values) {
            if (v instanceof UpstreamUser u && u.upstream() != null) {
                out.add(u.upstream());
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModuleSettings m && Arrays.equals(values, m.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }
}
