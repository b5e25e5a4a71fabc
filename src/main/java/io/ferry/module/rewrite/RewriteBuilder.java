package io.ferry.module.rewrite;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.Level;
import io.ferry.variable.Regex;
import io.ferry.variable.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/** Compiles the rewrite module's directives of one level (rewrite, return, set, break, if) into {@link RewriteOp}s. */
final class RewriteBuilder {
    private static final Set<String> DIRECTIVES = Set.of("rewrite", "return", "set", "break", "if");

    private RewriteBuilder() {
    }

    /** The rewrite directives written at this level, in order; an {@code if} also carries its block's settings. */
    static List<RewriteOp> ops(Level level) throws ConfException {
        return ops(level, level.written());
    }

    private static List<RewriteOp> ops(Level level, List<Directive> written) throws ConfException {
        List<RewriteOp> ops = new ArrayList<>();
        for (Directive d : written) {
            if (!DIRECTIVES.contains(d.name())) {
                continue;
            }
            ops.add(switch (d.name()) {
                case "set" -> set(level, d);
                case "rewrite" -> rewrite(level, d);
                case "return" -> new RewriteOp.Return(returnAction(level, d));
                case "break" -> new RewriteOp.Break();
                default -> new RewriteOp.If(condition(level, d), ops(level, d.block()), level.ifSettings(d));
            });
        }
        return List.copyOf(ops);
    }

    private static RewriteOp set(Level level, Directive d) throws ConfException {
        String name = d.args().get(0);
        if (!name.startsWith("$") || name.length() < 2) {
            throw Values.error(d, "invalid variable name \"" + name + "\"");
        }
        return new RewriteOp.Set(name.substring(1), level.template(d, d.args().get(1)));
    }

    private static RewriteOp rewrite(Level level, Directive d) throws ConfException {
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
        return new RewriteOp.Rewrite(regex(d, d.args().get(0), false), level.template(d, d.args().get(1)), flag);
    }

    private static Regex regex(Directive d, String re, boolean caseless) throws ConfException {
        try {
            return Regex.compile(re, caseless);
        } catch (PatternSyntaxException e) {
            throw Values.error(d, "invalid regex \"" + re + "\": " + e.getDescription());
        }
    }

    private static ReturnAction returnAction(Level level, Directive d) throws ConfException {
        String first = d.args().get(0);
        if (!first.chars().allMatch(Character::isDigit)) {
            if (d.args().size() == 2 || !(first.startsWith("http://") || first.startsWith("https://") || first.startsWith("$scheme"))) {
                throw Values.error(d, "invalid return code \"" + first + "\"");
            }
            return new ReturnAction(302, level.template(d, first));
        }
        if (first.length() > 3) {
            throw Values.error(d, "invalid return code \"" + first + "\"");
        }
        Template text = d.args().size() == 2 ? level.template(d, d.args().get(1)) : null;
        return new ReturnAction(Integer.parseInt(first), text);
    }

    /** "(" and ")" arrive glued to the first and last words, or as a word of their own after a quote. */
    private static Condition condition(Level level, Directive d) throws ConfException {
        List<String> args = new ArrayList<>(d.args());
        if (args.isEmpty() || !args.get(0).startsWith("(")) {
            throw Values.error(d, "invalid condition \"" + String.join(" ", args) + "\"");
        }
        args.set(0, args.get(0).substring(1));
        // only the parentheses' own words go: an empty quoted operand ("") stays an operand
        if (args.get(0).isEmpty()) {
            args.remove(0);
        }
        String last = args.isEmpty() ? "" : args.get(args.size() - 1);
        if (!last.endsWith(")")) {
            throw Values.error(d, "invalid condition \"" + String.join(" ", d.args()) + "\"");
        }
        args.set(args.size() - 1, last.substring(0, last.length() - 1));
        if (args.get(args.size() - 1).isEmpty()) {
            args.remove(args.size() - 1);
        }
        if (args.size() == 1) {
            return new Condition(Condition.Kind.TRUTH, level.template(d, args.get(0)), null, null, false);
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
            return new Condition(kind, level.template(d, args.get(1)), null, null, negate);
        }
        if (args.size() != 3) {
            throw Values.error(d, "invalid condition \"" + String.join(" ", d.args()) + "\"");
        }
        Template subject = level.template(d, args.get(0));
        String op = args.get(1);
        return switch (op) {
            case "=", "!=" -> new Condition(Condition.Kind.EQUALS, subject, level.template(d, args.get(2)),
                    null, op.equals("!="));
            case "~", "~*", "!~", "!~*" -> new Condition(Condition.Kind.MATCHES, subject, null,
                    regex(d, args.get(2), op.endsWith("*")), op.startsWith("!"));
            default -> throw Values.error(d, "unexpected \"" + op + "\" in condition");
        };
    }
}
