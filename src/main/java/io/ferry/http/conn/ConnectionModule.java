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

/**
 * The client connection part of nginx's core module: header line validity, how the request target
 * is normalized, and how connections end.
 */
public final class ConnectionModule implements Module {
    public static final Slot<ConnectionSettings> SETTINGS = new Slot<>();
    /** NGX_MIN_POOL_SIZE and NGX_POOL_ALIGNMENT of a 64-bit nginx. */
    private static final int MIN_POOL_SIZE = 112;
    private static final int POOL_ALIGNMENT = 16;

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
        rows.one("merge_slashes", hs);
        rows.one("connection_pool_size", hs);
        rows.one("request_pool_size", hs);
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
        poolSize(level.own("connection_pool_size"));
        poolSize(level.own("request_pool_size"));
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
                level.flag("merge_slashes", d.mergeSlashes()),
                level.flag("reset_timedout_connection", d.resetTimedout()),
                lingering,
                level.time("lingering_time", d.lingeringTime()),
                level.time("lingering_timeout", d.lingeringTimeout()));
    }

    /**
     * nginx's ngx_http_core_pool_size check on a 64-bit build. The size of nginx's per-connection
     * and per-request memory pools has no counterpart on the JVM, whose garbage-collected heap
     * sizes itself, so a valid value changes nothing.
     */
    private static void poolSize(Directive d) throws ConfException {
        if (d == null) {
            return;
        }
        long size = Values.size(d, d.args().get(0));
        if (size < MIN_POOL_SIZE) {
            throw Values.error(d, "the pool size must be no less than " + MIN_POOL_SIZE);
        }
        if (size % POOL_ALIGNMENT != 0) {
            throw Values.error(d, "the pool size must be a multiple of " + POOL_ALIGNMENT);
        }
    }
}
