package io.ferry.http.conn;

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
import java.util.EnumSet;

/** The client connection part of nginx's core module: header line validity and how connections end. */
public final class ConnectionModule implements Module {
    public static final Slot<ConnectionSettings> SETTINGS = new Slot<>();

    @Override
    public String name() {
        return "http_core_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        var hs = EnumSet.of(HTTP, SERVER);
        var hsl = EnumSet.of(HTTP, SERVER, LOCATION);
        rows.one("ignore_invalid_headers", hs);
        rows.one("underscores_in_headers", hs);
        rows.one("reset_timedout_connection", hsl);
        rows.one("lingering_close", hsl);
        rows.one("lingering_time", hsl);
        rows.one("lingering_timeout", hsl);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        ConnectionSettings d = ConnectionSettings.DEFAULT;
        Directive close = level.inherited("lingering_close");
        ConnectionSettings.Lingering lingering = d.lingeringClose();
        if (close != null) {
            lingering = switch (close.args().get(0)) {
                case "off" -> ConnectionSettings.Lingering.OFF;
                case "on" -> ConnectionSettings.Lingering.ON;
                case "always" -> ConnectionSettings.Lingering.ALWAYS;
                default -> throw Values.invalid(close, close.args().get(0));
            };
        }
        return new ConnectionSettings(
                level.flag("ignore_invalid_headers", d.ignoreInvalidHeaders()),
                level.flag("underscores_in_headers", d.underscoresInHeaders()),
                level.flag("reset_timedout_connection", d.resetTimedout()),
                lingering,
                level.time("lingering_time", d.lingeringTime()),
                level.time("lingering_timeout", d.lingeringTimeout()));
    }
}
