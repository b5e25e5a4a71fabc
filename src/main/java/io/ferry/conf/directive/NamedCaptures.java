package io.ferry.conf.directive;

import io.ferry.conf.Directive;
import io.ferry.module.Modules;
import io.ferry.variable.Regex;
import io.ferry.variable.Variables;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * Named groups of every regex in the http block (server_name, location, map keys, if, rewrite) and
 * every variable `set` (or a module's directive like it) assigns become variables before any value is compiled, as nginx does, so
 * "root /sites/$user;" can follow "server_name ~^(?&lt;user&gt;.+)\.example\.net$;". Invalid regexes are
 * left for their own directive to report.
 */
final class NamedCaptures {
    private NamedCaptures() {
    }

    static void define(List<Directive> block, Variables variables) {
        for (Directive d : block) {
            boolean assigns = Modules.variableAssigners().contains(d.name());
            switch (d.args().isEmpty() ? "" : assigns ? "set" : d.name()) {
                case "server_name" -> d.args().stream().filter(a -> a.startsWith("~")).forEach(a -> add(a.substring(1), variables));
                case "location" -> {
                    String first = d.args().get(0);
                    if (d.args().size() == 2 && first.startsWith("~")) {
                        add(d.args().get(1), variables);
                    } else if (first.startsWith("~")) {
                        add(first.substring(first.startsWith("~*") ? 2 : 1), variables);
                    }
                }
                case "set" -> {
                    String name = d.args().get(0);
                    if (name.startsWith("$") && name.length() > 1) {
                        variables.defineUserVariable(name.substring(1));
                    }
                }
                case "if" -> d.args().stream().filter(a -> a.startsWith("~") || a.startsWith("!~"))
                        .findFirst().ifPresent(op -> {
                            int i = d.args().indexOf(op);
                            if (i + 1 < d.args().size()) {
                                String re = d.args().get(i + 1);
                                add(re.endsWith(")") ? re.substring(0, re.length() - 1) : re, variables);
                            }
                        });
                case "rewrite" -> add(d.args().get(0), variables);
                case "map" -> {
                    for (Directive entry : d.block()) {
                        if (entry.name().startsWith("~")) {
                            add(entry.name().substring(entry.name().startsWith("~*") ? 2 : 1), variables);
                        }
                    }
                }
                default -> {
                }
            }
            if (d.hasBlock() && !d.name().equals("map") && !d.name().equals("types")) {
                define(d.block(), variables);
            }
        }
    }

    private static void add(String regex, Variables variables) {
        try {
            Regex.compile(regex, false).names().keySet().forEach(variables::defineCapture);
        } catch (PatternSyntaxException e) {
            // reported with file:line where the regex is compiled for use
        }
    }
}
