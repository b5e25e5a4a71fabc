package io.ferry.module.rewrite;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Context;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.hook.RewriteHandler;
import io.ferry.model.LocationSettings;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * nginx's rewrite module: rewrite, return, set, break and if, run in the order written at the server
 * level before the location search and at the location level after it.
 */
public final class RewriteModule implements Module {
    static final Slot<List<RewriteOp>> OPS = new Slot<>();

    private static final Set<Context> SLI = EnumSet.of(SERVER, LOCATION, IF);
    /** Only checked: Ferry logs neither rewrites nor uninitialized variables. */
    private static final List<String> FLAGS = List.of("rewrite_log", "uninitialized_variable_warn");

    @Override
    public String name() {
        return "http_rewrite_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("return", SLI, 1, 2, null, false);
        rows.add("rewrite", SLI, 2, 3, null, true);
        rows.add("set", SLI, 2, 2, null, true);
        rows.add("break", SLI, 0, 0, null, true);
        rows.add("if", EnumSet.of(SERVER, LOCATION), 1, DirectiveRows.ANY, IF, true);
        rows.one("rewrite_log", EnumSet.of(HTTP, SERVER, LOCATION, IF));
        rows.one("uninitialized_variable_warn", EnumSet.of(HTTP, SERVER, LOCATION, IF));
    }

    @Override
    public Slot<?> settingsSlot() {
        return OPS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        checkFlags(level);
        return RewriteBuilder.ops(level);
    }

    @Override
    public Object httpSettings(Level http) throws ConfException {
        checkFlags(http);
        return null;
    }

    @Override
    public RewriteHandler rewriteHandler() {
        return ex -> RewriteScript.run(ex.settings().module(OPS), ex);
    }

    /** The {@code return} written directly at this level, if any (it may follow rewrites and sets). */
    public static ReturnAction returnAction(LocationSettings settings) {
        for (RewriteOp op : settings.module(OPS)) {
            if (op instanceof RewriteOp.Return r) {
                return r.action();
            }
        }
        return null;
    }

    private static void checkFlags(Level level) throws ConfException {
        for (String name : FLAGS) {
            Directive d = level.own(name);
            if (d != null) {
                Values.flag(d);
            }
        }
    }
}
