package io.ferry.model;

import java.util.Arrays;

/** The settings every module built for one level (http, server, location, if), indexed by {@link Slot}. */
public final class ModuleSettings {
    private final Object[] values;

    public ModuleSettings(Object[] values) {
        this.values = values.clone();
    }

    Object get(int index) {
        return index < values.length ? values[index] : null;
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
