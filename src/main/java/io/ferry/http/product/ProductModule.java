package io.ferry.http.product;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.model.LocationSettings;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import java.util.EnumSet;
import java.util.Locale;

/** The part of nginx's core module that names the product: server_tokens. */
public final class ProductModule implements Module {
    public static final Slot<ServerTokens> SETTINGS = new Slot<>();

    @Override
    public String name() {
        return "http_core_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.one("server_tokens", EnumSet.of(HTTP, SERVER, LOCATION));
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        Directive d = level.inherited("server_tokens");
        if (d == null) {
            return ServerTokens.ON;
        }
        String v = d.args().get(0);
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "off" -> ServerTokens.OFF;
            case "on" -> ServerTokens.ON;
            case "build" -> ServerTokens.BUILD;
            default -> throw Values.invalid(d, v);
        };
    }

    /** The product token the level answering a request shows (on where no level is known yet). */
    public static String product(LocationSettings settings) {
        ServerTokens tokens = settings == null ? null : settings.module(SETTINGS);
        return (tokens == null ? ServerTokens.ON : tokens).product();
    }
}
