package io.ferry.conf.directive;

import io.ferry.conf.Values;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.model.Condition;
import io.ferry.model.ErrorPage;
import io.ferry.model.LocationSettings;
import io.ferry.model.ReturnAction;
import io.ferry.model.RewriteOp;
import io.ferry.model.TryFiles;
import io.ferry.variable.Regex;
import io.ferry.variable.Template;
import io.ferry.variable.Variables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * The rewrite module (rewrite, return, set, break, if) and the response-shaping directives that
 * share its levels: error_page, try_files, internal.
 */
final class RewriteBuilder {
    /** Builds the configuration of an `if` block inside a location (its scope inherits the location's). */
    interface IfSettings {
        LocationSettings build(Scope ifScope, Directive ifBlock) throws ConfException;
    }

    private static final Set<String> REWRITE_DIRECTIVES = Set.of("rewrite", "return", "set", "break", "if");

    private final Variables variables;

    RewriteBuilder(Variables variables) {
        this.variables = variables;
    }

    /** The rewrite directives written at this level, in order; {@code ifSettings} null at server level. */
    List<RewriteOp> ops(Scope s, List<Directive> written, IfSettings ifSettings) throws ConfException {
        List<RewriteOp> ops = new ArrayList<>();
        for (Directive d : written) {
            if (!REWRITE_DIRECTIVES.contains(d.name())) {
                continue;
            }
            ops.add(switch (d.name()) {
                case "set" -> set(d);
                case "rewrite" -> rewrite(d);
                case "return" -> new RewriteOp.Return(returnAction(d));
                case "break" -> new RewriteOp.Break();
                default -> {
                    Scope inner = new Scope(s, d.block());
                    yield new RewriteOp.If(condition(d), ops(inner, d.block(), ifSettings),
                            ifSettings == null ? null : ifSettings.build(inner, d));
                }
            });
        }
        return List.copyOf(ops);
    }

    private RewriteOp set(Directive d) throws ConfException {
        String name = d.args().get(0);
        if (!name.startsWith("$") || name.length() < 2) {
            throw Values.error(d, "invalid variable name \"" + name + "\"");
        }
        return new RewriteOp.Set(name.substring(1), ConfigBuilder.template(d, d.args().get(1), variables));
    }

    private RewriteOp rewrite(Directive d) throws ConfException {
        RewriteOp.Rewrite.Flag flag = RewriteOp.Rewrite.Flag.NONE;
        if (d.args().size() == 3) {
            flag = switch (d.args().get(2)) {
                case "last" -> RewriteOp.Rewrite.Flag.LAST;
                case "break" -> RewriteOp.Rewrite.Flag.BREAK;
                case "redirect" -> RewriteOp.Rewrite.Flag.REDIRECT;
                case "permanent" -> RewriteOp.Rewrite.Flag.PERMANENT;
                default -> throw Values.error(d, "invalid parameter \"" + d.args().get(2) + "\"");
            };
        }
        return new RewriteOp.Rewrite(regex(d, d.args().get(0), false), ConfigBuilder.template(d, d.args().get(1), variables), flag);
    }

    private static Regex regex(Directive d, String re, boolean caseless) throws ConfException {
        try {
            return Regex.compile(re, caseless);
        } catch (PatternSyntaxException e) {
            throw Values.error(d, "invalid regex \"" + re + "\": " + e.getDescription());
        }
    }

    ReturnAction returnAction(Directive d) throws ConfException {
        String first = d.args().get(0);
        if (!first.chars().allMatch(Character::isDigit)) {
            if (d.args().size() == 2 || !(first.startsWith("http://") || first.startsWith("https://") || first.startsWith("$scheme"))) {
                throw Values.error(d, "invalid return code \"" + first + "\"");
            }
            return new ReturnAction(302, ConfigBuilder.template(d, first, variables));
        }
        if (first.length() > 3) {
            throw Values.error(d, "invalid return code \"" + first + "\"");
        }
        Template text = d.args().size() == 2 ? ConfigBuilder.template(d, d.args().get(1), variables) : null;
        return new ReturnAction(Integer.parseInt(first), text);
    }

    /** "(" and ")" arrive glued to the first and last words, or as a word of their own after a quote. */
    private Condition condition(Directive d) throws ConfException {
        List<String> args = new ArrayList<>(d.args());
        if (args.isEmpty() || !args.get(0).startsWith("(")) {
            throw Values.error(d, "invalid condition \"" + String.join(" ", args) + "\"");
        }
        args.set(0, args.get(0).substring(1));
        String last = args.get(args.size() - 1);
        if (!last.endsWith(")")) {
            throw Values.error(d, "invalid condition \"" + String.join(" ", d.args()) + "\"");
        }
        args.set(args.size() - 1, last.substring(0, last.length() - 1));
        args.removeIf(String::isEmpty);
        if (args.size() == 1) {
            return new Condition(Condition.Kind.TRUTH, ConfigBuilder.template(d, args.get(0), variables), null, null, false);
        }
        if (args.size() == 2) {
            String op = args.get(0);
            boolean negate = op.startsWith("!");
            Condition.Kind kind = switch (negate ? op.substring(1) : op) {
                case "-f" -> Condition.Kind.FILE;
                case "-d" -> Condition.Kind.DIRECTORY;
                case "-e" -> Condition.Kind.EXISTS;
                case "-x" -> Condition.Kind.EXECUTABLE;
                default -> throw Values.error(d, "invalid condition \"" + op + "\"");
            };
            return new Condition(kind, ConfigBuilder.template(d, args.get(1), variables), null, null, negate);
        }
        if (args.size() != 3) {
            throw Values.error(d, "invalid condition \"" + String.join(" ", d.args()) + "\"");
        }
        Template subject = ConfigBuilder.template(d, args.get(0), variables);
        String op = args.get(1);
        return switch (op) {
            case "=", "!=" -> new Condition(Condition.Kind.EQUALS, subject, ConfigBuilder.template(d, args.get(2), variables),
                    null, op.equals("!="));
            case "~", "~*", "!~", "!~*" -> new Condition(Condition.Kind.MATCHES, subject, null,
                    regex(d, args.get(2), op.endsWith("*")), op.startsWith("!"));
            default -> throw Values.error(d, "unexpected \"" + op + "\" in condition");
        };
    }

    /** error_page at the nearest level that has any, as nginx inherits it. */
    Map<Integer, ErrorPage> errorPages(Scope s) throws ConfException {
        Map<Integer, ErrorPage> pages = new HashMap<>();
        for (Directive d : s.inheritedAll("error_page")) {
            List<String> args = d.args();
            if (args.size() < 2) {
                throw Values.error(d, "invalid number of arguments in \"error_page\" directive");
            }
            String uri = args.get(args.size() - 1);
            Integer status = null;
            boolean keepTarget = false;
            int codes = args.size() - 1;
            String maybeOverride = args.get(args.size() - 2);
            if (maybeOverride.startsWith("=")) {
                codes--;
                if (maybeOverride.length() == 1) {
                    keepTarget = true;
                } else {
                    status = Values.positiveInt(d, maybeOverride.substring(1));
                }
            }
            if (codes < 1) {
                throw Values.error(d, "invalid number of arguments in \"error_page\" directive");
            }
            for (String code : args.subList(0, codes)) {
                int c;
                try {
                    c = Integer.parseInt(code);
                } catch (NumberFormatException e) {
                    c = -1;
                }
                if (c < 300 || c > 599) {
                    throw Values.error(d, "value \"" + code + "\" must be between 300 and 599");
                }
                pages.put(c, new ErrorPage(uri, status, keepTarget));
            }
        }
        return Map.copyOf(pages);
    }

    TryFiles tryFiles(Scope s) throws ConfException {
        Directive d = s.own("try_files");
        if (d == null) {
            return null;
        }
        List<Template> files = new ArrayList<>();
        for (String f : d.args().subList(0, d.args().size() - 1)) {
            files.add(ConfigBuilder.template(d, f, variables));
        }
        String fallback = d.args().get(d.args().size() - 1);
        if (fallback.startsWith("=")) {
            Values.positiveInt(d, fallback.substring(1));
        }
        return new TryFiles(List.copyOf(files), ConfigBuilder.template(d, fallback, variables));
    }
}
