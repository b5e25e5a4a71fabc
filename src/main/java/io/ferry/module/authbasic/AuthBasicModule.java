package io.ferry.module.authbasic;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LIMIT_EXCEPT;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.http.hook.AccessHandler;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.variable.Template;
import java.util.EnumSet;

/**
 * nginx's ngx_http_auth_basic_module: auth_basic names the realm (or "off"), auth_basic_user_file
 * the htpasswd file, both with variables and each inherited on its own; the access check asks for
 * a user of that file with a matching password.
 */
public final class AuthBasicModule implements Module {
    static final Slot<AuthBasicSettings> SETTINGS = new Slot<>();

    @Override
    public String name() {
        return "http_auth_basic_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.one("auth_basic", EnumSet.of(HTTP, SERVER, LOCATION, LIMIT_EXCEPT));
        rows.one("auth_basic_user_file", EnumSet.of(HTTP, SERVER, LOCATION, LIMIT_EXCEPT));
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        Directive realm = level.inherited("auth_basic");
        Directive file = level.inherited("auth_basic_user_file");
        if (realm == null || file == null) {
            return AuthBasicSettings.OFF;
        }
        Template realmValue = level.template(realm, realm.args().get(0));
        if (realmValue.isConstant() && realmValue.text().equals("off")) {
            return AuthBasicSettings.OFF;
        }
        return new AuthBasicSettings(realmValue, level.template(file, file.args().get(0)), level.confPrefix());
    }

    @Override
    public AccessHandler accessHandler() {
        return AuthBasicCheck::check;
    }
}
