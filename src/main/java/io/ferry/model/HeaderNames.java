package io.ferry.model;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/** Header names compare without case; a caseless set spares a lower-cased copy of every name looked up. */
public final class HeaderNames {
    private HeaderNames() {
    }

    public static Set<String> caseless(Collection<String> names) {
        TreeSet<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(names);
        return Collections.unmodifiableSet(set);
    }
}
