package io.ferry.module;

import io.ferry.conf.Context;
import java.util.Set;

/** How a module adds its rows to the directive table: name, contexts, arity, block, repeatable. */
@FunctionalInterface
public interface DirectiveRows {
    int ANY = Integer.MAX_VALUE;

    void add(String name, Set<Context> contexts, int minArgs, int maxArgs, Context block, boolean multiple);

    /** A directive with exactly one argument, written at most once per level. */
    default void one(String name, Set<Context> contexts) {
        add(name, contexts, 1, 1, null, false);
    }
}
