package io.ferry.module.securelink;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.variable.RequestScope;
import io.ferry.variable.Template;
import io.ferry.variable.Variable;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * nginx's ngx_http_secure_link_module: secure_link, secure_link_md5 and secure_link_secret, read
 * through $secure_link ("1" valid, "0" expired, empty otherwise; the link itself in the
 * secure_link_secret form) and $secure_link_expires.
 */
public final class SecureLinkModule implements Module {
    static final Slot<Settings> SETTINGS = new Slot<>();
    private static final Slot<State> STATE = new Slot<>();

    /** Either the secret (the older form) or secure_link and secure_link_md5, each possibly null. */
    record Settings(Template link, Template md5, String secret) {
    }

    /**
     * A request's answer, worked out at the first read and kept, as nginx caches the variable; it is
     * kept before secure_link_md5's value is worked out, which may read $secure_link_expires.
     */
    private static final class State {
        String link;
        String expires;
    }

    @Override
    public String name() {
        return "http_secure_link_module";
    }

    @Override
    public List<String> configureArguments() {
        return List.of("--with-http_secure_link_module");
    }

    @Override
    public void directives(DirectiveRows rows) {
        for (String name : List.of("secure_link", "secure_link_md5", "secure_link_secret")) {
            rows.one(name, EnumSet.of(HTTP, SERVER, LOCATION));
        }
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    /**
     * nginx's merge: a level writing secure_link_secret resets secure_link and secure_link_md5 for the
     * levels inside it, and a level left with neither inherits the secret.
     */
    @Override
    public Object settings(Level level) throws ConfException {
        Directive secret = level.own("secure_link_secret");
        if (secret != null) {
            if (level.own("secure_link") != null || level.own("secure_link_md5") != null) {
                throw Values.error(secret, "\"secure_link_secret\" cannot be mixed with \"secure_link\" and "
                        + "\"secure_link_md5\"");
            }
            return new Settings(null, null, secret.args().get(0));
        }
        Directive link = sinceSecret(level, "secure_link");
        Directive md5 = sinceSecret(level, "secure_link_md5");
        if (link == null && md5 == null) {
            Directive inherited = level.inherited("secure_link_secret");
            return inherited == null ? null : new Settings(null, null, inherited.args().get(0));
        }
        return new Settings(template(level, link), template(level, md5), null);
    }

    /** The directive from the nearest level that writes it, unless a level writing the secret is nearer. */
    private static Directive sinceSecret(Level level, String name) {
        for (Directive d : level.inheritedAllOf(name, "secure_link_secret")) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    private static Template template(Level level, Directive d) throws ConfException {
        return d == null ? null : level.template(d, d.args().get(0));
    }

    @Override
    public Map<String, Variable> variables() {
        return Map.of(
                "secure_link", s -> state(s).link,
                "secure_link_expires", s -> {
                    State st = s.moduleContext(STATE);
                    return st == null ? null : st.expires;
                });
    }

    private static State state(RequestScope s) {
        State st = s.moduleContext(STATE);
        if (st != null) {
            return st;
        }
        st = new State();
        s.moduleContext(STATE, st);
        Settings settings = s.moduleSettings(SETTINGS);
        if (settings == null) {
            return st;
        }
        if (settings.secret() != null) {
            st.link = SecureLinks.old(s.requestUri(), settings.secret());
            return st;
        }
        if (settings.link() == null || settings.md5() == null) {
            return st;
        }
        String value = settings.link().render(s);
        int comma = value.indexOf(',');
        String hash = value;
        long expires = 0;
        if (comma >= 0) {
            hash = value.substring(0, comma);
            expires = SecureLinks.seconds(value.substring(comma + 1));
            if (expires <= 0) {
                return st;
            }
            st.expires = value.substring(comma + 1);
        }
        if (SecureLinks.matches(hash, settings.md5().render(s))) {
            st.link = expires != 0 && expires < System.currentTimeMillis() / 1000 ? "0" : "1";
        }
        return st;
    }
}
