package io.ferry.conf.directive;

import java.util.Set;

/** How a module's builder adds its rows to the {@link DirectiveTable}. */
@FunctionalInterface
interface DirectiveRows {
    void add(String name, Set<Context> contexts, int minArgs, int maxArgs, Context block, boolean multiple);
}
