package io.ferry.log;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LIMIT_EXCEPT;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.model.LocationSettings;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import java.util.EnumSet;
import java.util.List;

/**
 * nginx's http log module: log_format at the http level, built once per configuration, and each
 * level's access logs, written when a request ends.
 */
public final class LogModule implements Module {
    private static final Slot<LogFormats> FORMATS = new Slot<>();
    private static final Slot<LogSettings> SETTINGS = new Slot<>();

    /** A level's access logs, and log_subrequest: whether subrequests served there are written to them too. */
    private record LogSettings(List<AccessLog> accessLogs, boolean subrequests) {
    }

    @Override
    public String name() {
        return "http_log_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("access_log", EnumSet.of(HTTP, SERVER, LOCATION, IF, LIMIT_EXCEPT), 1, DirectiveRows.ANY, null, true);
        rows.add("log_format", EnumSet.of(HTTP), 2, DirectiveRows.ANY, null, true);
        rows.one("log_subrequest", EnumSet.of(HTTP, SERVER, LOCATION));
    }

    @Override
    public Slot<?> httpSlot() {
        return FORMATS;
    }

    @Override
    public Object httpSettings(Level http) throws ConfException {
        return LogFormats.http(http);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        return new LogSettings(level.http(FORMATS).accessLogs(level), level.flag("log_subrequest", false));
    }

    /** The access logs a request served with these settings is written to. */
    public static List<AccessLog> accessLogs(LocationSettings settings) {
        return settings.module(SETTINGS).accessLogs();
    }

    /** Whether a subrequest served with these settings is written to its access logs (nginx's log_subrequest). */
    public static boolean logsSubrequests(LocationSettings settings) {
        return settings.module(SETTINGS).subrequests();
    }
}
