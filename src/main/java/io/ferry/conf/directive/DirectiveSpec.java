package io.ferry.conf.directive;

import io.ferry.conf.Context;
import java.util.Set;

/** One row of the directive table: where it may appear, how many arguments, block or not, repeatable or not. */
public record DirectiveSpec(String name, Set<Context> contexts, int minArgs, int maxArgs, Context block, boolean multiple) {
    public boolean takesBlock() {
        return block != null;
    }
}
