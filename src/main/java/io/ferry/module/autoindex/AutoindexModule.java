package io.ferry.module.autoindex;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.Exchange;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;

/**
 * nginx's autoindex: a directory without an index file is listed (html, json, jsonp or xml)
 * instead of refused. Static files ask {@link #list} once the index files were not found, which
 * is where nginx's content phase reaches this module.
 */
public final class AutoindexModule implements Module {
    static final Slot<AutoindexSettings> SETTINGS = new Slot<>();

    @Override
    public String name() {
        return "http_autoindex_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        EnumSet<io.ferry.conf.Context> hsl = EnumSet.of(HTTP, SERVER, LOCATION);
        for (String name : new String[] {"autoindex", "autoindex_format", "autoindex_localtime", "autoindex_exact_size"}) {
            rows.one(name, hsl);
        }
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        AutoindexSettings.Format format = AutoindexSettings.Format.HTML;
        Directive d = level.inherited("autoindex_format");
        if (d != null) {
            String v = d.args().get(0);
            if (!v.matches("html|json|jsonp|xml")) {
                throw Values.invalid(d, v);
            }
            format = AutoindexSettings.Format.valueOf(v.toUpperCase(Locale.ROOT));
        }
        return new AutoindexSettings(level.flag("autoindex", false), format,
                level.flag("autoindex_localtime", false), level.flag("autoindex_exact_size", true));
    }

    /**
     * Answers with the listing of {@code dir} when autoindex is on for the exchange's location;
     * false (nothing sent) when it is off.
     */
    public static boolean list(Exchange ex, Path dir) {
        AutoindexSettings s = ex.settings().module(SETTINGS);
        if (s == null || !s.enable()) {
            return false;
        }
        Listing.send(ex, dir, s);
        return true;
    }
}
