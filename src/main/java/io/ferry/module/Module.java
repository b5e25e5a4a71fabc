package io.ferry.module;

import io.ferry.conf.ConfException;
import io.ferry.http.hook.AccessHandler;
import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.http.hook.PostReadHandler;
import io.ferry.http.hook.PreAccessHandler;
import io.ferry.http.hook.RewriteHandler;
import io.ferry.model.Slot;
import io.ferry.variable.Variable;
import java.util.List;
import java.util.Map;

/**
 * One module, in nginx's shape: the directives it owns, its settings per level (built from what is
 * written there and inherited from the enclosing levels), its variables, and the hooks it adds to
 * request processing. A module is one package; {@link Modules} lists them, one line each.
 */
public interface Module {
    /** nginx's name for it, as ./configure spells it after --without- (e.g. http_gzip_module). */
    String name();

    /** The ./configure words {@code -V} prints for it (e.g. --with-http_gzip_static_module); default modules print none. */
    default List<String> configureArguments() {
        return List.of();
    }

    void directives(DirectiveRows rows);

    /** Where this module's per-level settings are kept, or null when it has none. */
    default Slot<?> settingsSlot() {
        return null;
    }

    /** Its settings for one level; kept only when {@link #settingsSlot()} is not null. */
    default Object settings(Level level) throws ConfException {
        return null;
    }

    /**
     * Where this module keeps what it builds once per configuration at the http level (nginx's main
     * conf, e.g. log_format's formats), which every level's {@link #settings} can read with
     * {@link Level#http}; null when it has none.
     */
    default Slot<?> httpSlot() {
        return null;
    }

    /**
     * Its per-configuration settings, from the http level; kept only when {@link #httpSlot()} is not
     * null (a module without one may still check its http-level lines here).
     */
    default Object httpSettings(Level http) throws ConfException {
        return null;
    }

    /**
     * Directives of this module that assign the variable their first argument names, as `set`
     * does (auth_request_set): that name is declared before any value is compiled.
     */
    default java.util.Set<String> variableAssigners() {
        return java.util.Set.of();
    }

    /**
     * Defines the variables this module's blocks declare (geo, split_clients), once per http block:
     * every map variable is declared by then, and no map value is compiled yet.
     */
    default void defineVariables(Level http, io.ferry.variable.Variables variables) throws ConfException {
    }

    default Map<String, Variable> variables() {
        return Map.of();
    }

    /** Variables of {@link #variables()} that `set` assigns through the module (nginx's set_handler: $limit_rate). */
    default Map<String, java.util.function.BiConsumer<io.ferry.variable.RequestScope, String>> variableSetters() {
        return Map.of();
    }

    /** A response header filter, run on every response before its head is written; null for none. */
    default HeaderFilter headerFilter() {
        return null;
    }

    /** A post-read hook, run once per request once its server is chosen (realip); null for none. */
    default PostReadHandler postReadHandler() {
        return null;
    }

    /** A pre-access hook, run with the location's settings before the access checks; null for none. */
    default PreAccessHandler preAccessHandler() {
        return null;
    }

    /** A rewrite-phase handler, run at the server level and again at the location level; null for none. */
    default RewriteHandler rewriteHandler() {
        return null;
    }

    /** An access-phase check, run in module order and combined by {@code satisfy}; null for none. */
    default AccessHandler accessHandler() {
        return null;
    }

    /**
     * A content-phase handler, tried in module order before static files; it declines a request its
     * location does not ask for (nginx's content phase and clcf->handler in one). Null for none.
     */
    default ContentPhaseHandler contentHandler(Services services) {
        return null;
    }
}
