package io.ferry.module.headers;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.variable.Template;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * nginx's headers module: add_header and expires, applied by a header filter to every response,
 * and add_trailer, whose fields a body filter adds after the last chunk.
 */
public final class HeadersModule implements Module {
    static final Slot<HeadersSettings> SETTINGS = new Slot<>();

    @Override
    public String name() {
        return "http_headers_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("add_header", EnumSet.of(HTTP, SERVER, LOCATION, IF), 2, 3, null, true);
        rows.add("add_trailer", EnumSet.of(HTTP, SERVER, LOCATION, IF), 2, 3, null, true);
        rows.add("expires", EnumSet.of(HTTP, SERVER, LOCATION, IF), 1, 2, null, false);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public HeaderFilter headerFilter() {
        return HeadersFilter::filter;
    }

    @Override
    public Object settings(Level s) throws ConfException {
        List<HeadersSettings.Added> added = lines(s, "add_header");
        List<HeadersSettings.Added> trailers = lines(s, "add_trailer");
        Expires expires = expires(s.inherited("expires"), s);
        return added.isEmpty() && trailers.isEmpty() && expires == null ? HeadersSettings.NONE
                : new HeadersSettings(added, trailers, expires);
    }

    /** add_header or add_trailer NAME VALUE [always], from the nearest level that has any. */
    private static List<HeadersSettings.Added> lines(Level s, String directive) throws ConfException {
        List<HeadersSettings.Added> lines = new ArrayList<>();
        for (Directive d : s.inheritedAll(directive)) {
            boolean always = d.args().size() == 3;
            if (always && !d.args().get(2).equals("always")) {
                throw Values.error(d, "invalid parameter \"" + d.args().get(2) + "\"");
            }
            lines.add(new HeadersSettings.Added(d.args().get(0), s.template(d, d.args().get(1)), always));
        }
        return List.copyOf(lines);
    }

    /** nginx's ngx_http_headers_expires: a value with variables is kept to be parsed per request. */
    private static Expires expires(Directive d, Level s) throws ConfException {
        if (d == null) {
            return null;
        }
        Expires.Kind kind = Expires.Kind.ACCESS;
        if (d.args().size() == 2) {
            if (!d.args().get(0).equals("modified")) {
                throw Values.error(d, "\"expires\" directive invalid value");
            }
            kind = Expires.Kind.MODIFIED;
        }
        Template value = s.template(d, d.args().get(d.args().size() - 1));
        if (!value.isConstant()) {
            return new Expires(kind, 0, value);
        }
        try {
            Expires e = Expires.parse(value.text(), kind);
            return e.kind() == Expires.Kind.OFF ? null : e;
        } catch (IllegalArgumentException invalid) {
            throw Values.error(d, "\"expires\" directive " + invalid.getMessage());
        }
    }
}
