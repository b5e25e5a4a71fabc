package io.ferry.module.authrequest;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.hook.AccessHandler;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * nginx's ngx_http_auth_request_module: the access phase asks a subrequest whether the request may
 * go on (2xx), is refused (401, 403) or cannot be decided (anything else: 500), and
 * auth_request_set copies what the subrequest answered into variables of the request.
 */
public final class AuthRequestModule implements Module {
    static final Slot<AuthRequestSettings> SETTINGS = new Slot<>();
    static final Slot<AuthRequestCheck.Pending> CONTEXT = new Slot<>();

    @Override
    public String name() {
        return "http_auth_request_module";
    }

    @Override
    public List<String> configureArguments() {
        return List.of("--with-http_auth_request_module");
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.one("auth_request", EnumSet.of(HTTP, SERVER, LOCATION));
        rows.add("auth_request_set", EnumSet.of(HTTP, SERVER, LOCATION), 2, 2, null, true);
    }

    @Override
    public Set<String> variableAssigners() {
        return Set.of("auth_request_set");
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        Directive d = level.inherited("auth_request");
        String uri = d == null || d.args().get(0).equals("off") ? null : d.args().get(0);
        List<AuthRequestSettings.Assignment> assignments = new ArrayList<>();
        for (Directive set : level.inheritedAll("auth_request_set")) {
            String name = set.args().get(0);
            if (!name.startsWith("$") || name.length() < 2) {
                throw Values.error(set, "invalid variable name \"" + name + "\"");
            }
            assignments.add(new AuthRequestSettings.Assignment(name.substring(1), level.template(set, set.args().get(1))));
        }
        return uri == null && assignments.isEmpty() ? AuthRequestSettings.OFF
                : new AuthRequestSettings(uri, List.copyOf(assignments));
    }

    @Override
    public AccessHandler accessHandler() {
        return AuthRequestCheck::check;
    }

    @Override
    public HeaderFilter headerFilter() {
        return AuthRequestCheck::passChallenge;
    }
}
