package io.ferry.conf.directive;

import io.ferry.conf.Values;
import io.ferry.conf.Context;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks every directive against the table before anything is built, so errors name the first bad line. */
final class Validator {
    private Validator() {
    }

    static void check(List<Directive> block, Context context) throws ConfException {
        Set<String> seen = new HashSet<>();
        for (Directive d : block) {
            for (String arg : d.args()) {
                if (arg.indexOf('\0') >= 0) {
                    throw Values.error(d, "invalid value in \"" + d.name() + "\" directive: NUL byte");
                }
            }
            if (!DirectiveTable.isKnown(d.name())) {
                throw Values.error(d, "unknown directive \"" + d.name() + "\"");
            }
            DirectiveSpec spec = DirectiveTable.get(d.name(), context);
            if (spec == null) {
                throw Values.error(d, "\"" + d.name() + "\" directive is not allowed here");
            }
            if (spec.takesBlock() && !d.hasBlock()) {
                throw Values.error(d, "directive \"" + d.name() + "\" has no opening \"{\"");
            }
            if (!spec.takesBlock() && d.hasBlock()) {
                throw Values.error(d, "directive \"" + d.name() + "\" is not terminated by \";\"");
            }
            int n = d.args().size();
            if (n < spec.minArgs() || n > spec.maxArgs()) {
                throw Values.error(d, "invalid number of arguments in \"" + d.name() + "\" directive");
            }
            if (!spec.multiple() && !seen.add(d.name())) {
                throw Values.error(d, "\"" + d.name() + "\" directive is duplicate");
            }
            if (spec.takesBlock() && !DirectiveTable.isFreeForm(spec.block())) {
                check(d.block(), spec.block());
            }
        }
    }
}
