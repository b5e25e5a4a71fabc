package io.ferry.module.rewrite;

import io.ferry.http.Exchange;
import io.ferry.http.hook.RewriteHandler.Outcome;
import io.ferry.variable.Captures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/** Runs the rewrite module's directives of one level against an exchange, as nginx's script engine does. */
final class RewriteScript {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private RewriteScript() {
    }

    static Outcome run(List<RewriteOp> ops, Exchange ex) {
        for (RewriteOp op : ops) {
            Outcome o = step(op, ex);
            if (o != Outcome.CONTINUE) {
                return o;
            }
        }
        return Outcome.CONTINUE;
    }

    private static Outcome step(RewriteOp op, Exchange ex) {
        if (op instanceof RewriteOp.Set set) {
            ex.setUserVariable(set.name(), set.value().render(ex));
            return Outcome.CONTINUE;
        }
        if (op instanceof RewriteOp.Rewrite rw) {
            return rewrite(rw, ex);
        }
        if (op instanceof RewriteOp.Return ret) {
            ReturnHandler.respond(ex, ret.action());
            return Outcome.RESPONDED;
        }
        if (op instanceof RewriteOp.If branch) {
            if (!holds(branch.condition(), ex)) {
                return Outcome.CONTINUE;
            }
            if (branch.settings() != null) {
                ex.useIfBlock(branch.settings());
            }
            return run(branch.ops(), ex);
        }
        return Outcome.BREAK;
    }

    /**
     * A replacement starting with a scheme, or the redirect/permanent flags, answers with a redirect;
     * otherwise $uri (and $args, when the replacement has a '?') change and the flag says what next.
     */
    private static Outcome rewrite(RewriteOp.Rewrite rw, Exchange ex) {
        Captures m = rw.regex().find(ex.uri());
        if (m == null) {
            return Outcome.CONTINUE;
        }
        ex.captures(m);
        String replacement = escapesArgCaptures(ex)
                ? rw.replacement().renderReplacement(ex, RewriteScript::escapeArgs) : rw.replacement().render(ex);
        boolean external = replacement.startsWith("http://") || replacement.startsWith("https://");
        RewriteOp.Rewrite.Flag flag = rw.flag();
        String args = ex.args();
        if (external || flag == RewriteOp.Rewrite.Flag.REDIRECT || flag == RewriteOp.Rewrite.Flag.PERMANENT) {
            String location = replacement;
            if (location.endsWith("?")) {
                location = location.substring(0, location.length() - 1);
            } else if (args != null && !args.isEmpty()) {
                location += (location.contains("?") ? "&" : "?") + args;
            }
            ex.sendRedirect(flag == RewriteOp.Rewrite.Flag.PERMANENT ? io.netty.handler.codec.http.HttpResponseStatus.MOVED_PERMANENTLY
                    : io.netty.handler.codec.http.HttpResponseStatus.FOUND, location);
            return Outcome.RESPONDED;
        }
        int q = replacement.indexOf('?');
        if (q < 0) {
            ex.rewriteTarget(replacement, args);
        } else {
            String newArgs = replacement.substring(q + 1);
            boolean keepOld = !newArgs.isEmpty() && args != null && !args.isEmpty();
            ex.rewriteTarget(replacement.substring(0, q), keepOld ? newArgs + "&" + args : newArgs.isEmpty() ? null : newArgs);
        }
        return switch (flag) {
            case LAST -> Outcome.LAST;
            case BREAK -> Outcome.BREAK;
            default -> Outcome.CONTINUE;
        };
    }

    /**
     * A capture copied into the new arguments comes from the decoded $uri; when the client's URI
     * was %-encoded (or had a '+'), nginx encodes it again so the arguments mean what was sent.
     */
    private static boolean escapesArgCaptures(Exchange ex) {
        String raw = ex.requestUri();
        int q = raw.indexOf('?');
        String path = q < 0 ? raw : raw.substring(0, q);
        return path.indexOf('%') >= 0 || path.indexOf('+') >= 0;
    }

    /** nginx's NGX_ESCAPE_ARGS: controls, space, '#', '%', '&', '+', ';', '?', DEL and non-ASCII bytes. */
    static String escapeArgs(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || "#%&+;?".indexOf(c) >= 0) {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    private static boolean holds(Condition c, Exchange ex) {
        String subject = c.subject().render(ex);
        boolean result = switch (c.kind()) {
            case TRUTH -> !subject.isEmpty() && !subject.equals("0");
            case EQUALS -> subject.equals(c.operand().render(ex));
            case MATCHES -> {
                Captures m = c.regex().find(subject);
                if (m != null) {
                    ex.captures(m);
                }
                yield m != null;
            }
            case FILE -> test(subject, Files::isRegularFile);
            case DIRECTORY -> test(subject, Files::isDirectory);
            case EXISTS -> test(subject, Files::exists);
            case EXECUTABLE -> test(subject, Files::isExecutable);
        };
        return result != c.negate();
    }

    private static boolean test(String path, java.util.function.Predicate<Path> check) {
        try {
            return !path.isEmpty() && check.test(Path.of(path));
        } catch (InvalidPathException e) {
            return false;
        }
    }
}
