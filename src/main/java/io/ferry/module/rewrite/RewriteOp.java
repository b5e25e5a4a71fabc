package io.ferry.module.rewrite;

import io.ferry.model.LocationSettings;
import io.ferry.variable.Regex;
import io.ferry.variable.Template;
import java.util.List;

/** One directive of the rewrite module, run in the order written at server or location level. */
sealed interface RewriteOp {

    /** set $name value; */
    record Set(String name, Template value) implements RewriteOp {
    }

    /** rewrite regex replacement [last|break|redirect|permanent]; */
    record Rewrite(Regex regex, Template replacement, Flag flag) implements RewriteOp {
        public enum Flag { NONE, LAST, BREAK, REDIRECT, PERMANENT }
    }

    /** return code [text|url]; or return url; */
    record Return(ReturnAction action) implements RewriteOp {
    }

    /** break; */
    record Break() implements RewriteOp {
    }

    /**
     * if (condition) { ... } — {@code settings} is the block's own configuration when it is inside a
     * location (it then serves the request, as in nginx), null at server level.
     */
    record If(Condition condition, List<RewriteOp> ops, LocationSettings settings) implements RewriteOp {
    }
}
