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
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/** nginx's headers module: add_header and expires, applied by a header filter to every response. */
public final class HeadersModule implements Module {
    static final Slot<HeadersSettings> SETTINGS = new Slot<>();

    @Override
    public String name() {
        return "http_headers_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("add_header", EnumSet.of(HTTP, SERVER, LOCATION, IF), 2, 3, null, true);
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
        List<HeadersSettings.Added> added = new ArrayList<>();
        for (Directive d : s.inheritedAll("add_header")) {
            boolean always = d.args().size() == 3;
            if (always && !d.args().get(2).equals("always")) {
                throw Values.error(d, "invalid parameter \"" + d.args().get(2) + "\"");
            }
            added.add(new HeadersSettings.Added(d.args().get(0), s.template(d, d.args().get(1)), always));
        }
        Directive e = s.inherited("expires");
        HeadersSettings.Expires expires = null;
        if (e != null && !e.args().get(0).equals("off")) {
            String v = e.args().get(e.args().size() - 1);
            if (e.args().size() == 2 && !e.args().get(0).equals("modified")) {
                throw Values.error(e, "invalid value \"" + e.args().get(0) + "\"");
            }
            expires = switch (v) {
                case "epoch" -> new HeadersSettings.Expires(HeadersSettings.Expires.Kind.EPOCH, Duration.ZERO);
                case "max" -> new HeadersSettings.Expires(HeadersSettings.Expires.Kind.MAX, Duration.ZERO);
                default -> {
                    boolean negative = v.startsWith("-");
                    Duration d = Values.time(e, negative || v.startsWith("+") ? v.substring(1) : v);
                    yield new HeadersSettings.Expires(HeadersSettings.Expires.Kind.OFFSET, negative ? d.negated() : d);
                }
            };
        }
        return added.isEmpty() && expires == null ? HeadersSettings.NONE : new HeadersSettings(List.copyOf(added), expires);
    }
}
