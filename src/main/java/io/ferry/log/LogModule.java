package io.ferry.log;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.model.LocationSettings;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx's http log module: log_format at the http level, built once per configuration, and each
 * level's access logs, written when a request ends.
 */
public final class LogModule implements Module {
    private static final Slot<LogFormats> FORMATS = new Slot<>();
    private static final Slot<List<AccessLog>> ACCESS_LOGS = new Slot<>();
    private static final Pattern SENT_HTTP = Pattern.compile("\\$\\{?sent_http_([A-Za-z0-9_]+)");

    @Override
    public String name() {
        return "http_log_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("access_log", EnumSet.of(HTTP, SERVER, LOCATION, IF), 1, DirectiveRows.ANY, null, true);
        rows.add("log_format", EnumSet.of(HTTP), 2, DirectiveRows.ANY, null, true);
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
        return ACCESS_LOGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        return level.http(FORMATS).accessLogs(level);
    }

    /** The access logs a request served with these settings is written to. */
    public static List<AccessLog> accessLogs(LocationSettings settings) {
        return settings.module(ACCESS_LOGS);
    }

    /** The response headers ("sec-websocket-accept") these settings' access log formats name as $sent_http_*. */
    public static Set<String> loggedResponseHeaders(LocationSettings settings) {
        Set<String> names = new HashSet<>();
        for (AccessLog log : accessLogs(settings)) {
            Matcher m = SENT_HTTP.matcher(log.format().template().text());
            while (m.find()) {
                names.add(m.group(1).toLowerCase(Locale.ROOT).replace('_', '-'));
            }
        }
        return names;
    }
}
