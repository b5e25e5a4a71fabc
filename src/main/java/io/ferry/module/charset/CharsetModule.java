package io.ferry.module.charset;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.MAP;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.variable.Template;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * nginx's ngx_http_charset_module: names the charset in Content-Type and recodes the body from
 * source_charset (or, with override_charset, the charset a proxied response names) to it.
 */
public final class CharsetModule implements Module {
    static final Slot<CharsetSettings> SETTINGS = new Slot<>();
    static final Slot<CharsetMaps> MAPS = new Slot<>();
    private static final Set<String> DEFAULT_TYPES = Set.of("text/html", "text/xml", "text/plain", "text/vnd.wap.wml",
            "application/javascript", "application/rss+xml");

    @Override
    public String name() {
        return "http_charset_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        Set<io.ferry.conf.Context> hsli = EnumSet.of(HTTP, SERVER, LOCATION, IF);
        rows.one("charset", hsli);
        rows.one("source_charset", hsli);
        rows.one("override_charset", hsli);
        rows.add("charset_types", EnumSet.of(HTTP, SERVER, LOCATION), 1, DirectiveRows.ANY, null, false);
        // its block holds "CODE VALUE;" pairs, free-form as a map's
        rows.add("charset_map", EnumSet.of(HTTP), 2, 2, MAP, true);
    }

    @Override
    public Slot<?> httpSlot() {
        return MAPS;
    }

    @Override
    public Object httpSettings(Level http) throws ConfException {
        return CharsetMaps.parse(http.ownAll("charset_map"));
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        Directive types = level.inherited("charset_types");
        Set<String> typeSet = DEFAULT_TYPES;
        if (types != null) {
            Set<String> set = new HashSet<>();
            for (String t : types.args()) {
                set.add(t.toLowerCase(Locale.ROOT));
            }
            typeSet = Set.copyOf(set);
        }
        CharsetMaps maps = level.http(MAPS);
        return new CharsetSettings(name(level, "charset"), typeSet, name(level, "source_charset"),
                level.flag("override_charset", false), maps == null ? CharsetMaps.NONE : maps);
    }

    /** A charset name (maybe with variables), or null for off or unset. */
    private static Template name(Level level, String directive) throws ConfException {
        Directive d = level.inherited(directive);
        if (d == null || d.args().get(0).equals("off")) {
            return null;
        }
        return level.template(d, d.args().get(0));
    }

    @Override
    public HeaderFilter headerFilter() {
        return CharsetFilter::filter;
    }
}
