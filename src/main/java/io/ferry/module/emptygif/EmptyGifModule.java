package io.ferry.module.emptygif;

import static io.ferry.conf.Context.LOCATION;

import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.module.Services;
import java.util.EnumSet;

/** nginx's ngx_http_empty_gif_module: {@code empty_gif} answers with a 1x1 transparent GIF from memory. */
public final class EmptyGifModule implements Module {
    static final Slot<Boolean> SETTINGS = new Slot<>();

    @Override
    public String name() {
        return "http_empty_gif_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("empty_gif", EnumSet.of(LOCATION), 0, 0, null, false);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    /** A content handler, so like proxy_pass it belongs to the location that writes it and is not inherited. */
    @Override
    public Object settings(Level level) {
        return level.own("empty_gif") != null ? Boolean.TRUE : null;
    }

    @Override
    public ContentPhaseHandler contentHandler(Services services) {
        return exchange -> {
            if (exchange.settings().module(SETTINGS) == null) {
                return false;
            }
            EmptyGif.send(exchange);
            return true;
        };
    }
}
