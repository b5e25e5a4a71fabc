package io.ferry.log;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LIMIT_EXCEPT;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.http.Exchange;
import io.ferry.model.LocationSettings;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.variable.Variable;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx's http log module: log_format at the http level, built once per configuration, and each
 * level's access logs, written when a request ends.
 */
public final class LogModule implements Module {
    private static final Slot<HttpLogs> HTTP_LOGS = new Slot<>();
    private static final Slot<LogSettings> SETTINGS = new Slot<>();

    /** log_format's formats, and the main level's error_log lines where http writes none (else null). */
    private record HttpLogs(LogFormats formats, List<Directive> mainErrorLog) {
    }

    /**
     * A level's access logs; log_subrequest (whether subrequests served there are written to them
     * too); where its request error lines go: the nearest http/server/location error_log lines, null
     * for the main level's (their loggers are made when first used, as reopening logs remakes them).
     */
    private record LogSettings(List<AccessLog> accessLogs, boolean subrequests, List<ErrorLog> errorLog,
            Set<String> sentHeaders) {
    }

    private static final Pattern SENT_HTTP = Pattern.compile("\\$\\{?sent_http_([A-Za-z0-9_]+)");

    @Override
    public String name() {
        return "http_log_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("access_log", EnumSet.of(HTTP, SERVER, LOCATION, IF, LIMIT_EXCEPT), 1, DirectiveRows.ANY, null, true);
        rows.add("log_format", EnumSet.of(HTTP), 2, DirectiveRows.ANY, null, true);
        rows.one("log_subrequest", EnumSet.of(HTTP, SERVER, LOCATION));
        rows.add("open_log_file_cache", EnumSet.of(HTTP, SERVER, LOCATION), 1, 4, null, false);
    }

    @Override
    public Slot<?> httpSlot() {
        return HTTP_LOGS;
    }

    @Override
    public Object httpSettings(Level http) throws ConfException {
        return new HttpLogs(LogFormats.http(http), http.own("error_log") == null ? http.inheritedAll("error_log") : null);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        HttpLogs http = level.http(HTTP_LOGS);
        List<Directive> errorLog = level.inheritedAll("error_log");
        List<ErrorLog> route = errorLog.isEmpty() || errorLog.equals(http.mainErrorLog()) ? null
                : ErrorLog.of(errorLog, level.prefix());
        if (route != null) {
            ErrorLogs.declare(route);
        }
        List<AccessLog> accessLogs = http.formats().accessLogs(level);
        return new LogSettings(accessLogs, level.flag("log_subrequest", false), route, sentHeaders(accessLogs));
    }

    /** $pipe: "p" for a request sent before the previous one's answer, "." otherwise. */
    @Override
    public Map<String, Variable> variables() {
        return Map.of("pipe", s -> s instanceof Exchange ex ? ex.pipelined() ? "p" : "." : null);
    }

    /** The logger for the error lines of a request served with these settings (nginx's r->connection->log). */
    public static Logger errorLog(LocationSettings settings) {
        return ErrorLogs.route(settings.module(SETTINGS).errorLog());
    }

    /** The access logs a request served with these settings is written to. */
    public static List<AccessLog> accessLogs(LocationSettings settings) {
        return settings.module(SETTINGS).accessLogs();
    }

    /** Whether a subrequest served with these settings is written to its access logs (nginx's log_subrequest). */
    public static boolean logsSubrequests(LocationSettings settings) {
        return settings.module(SETTINGS).subrequests();
    }

    /** The response headers ("sec-websocket-accept") these settings' access log formats name as $sent_http_*. */
    public static Set<String> loggedResponseHeaders(LocationSettings settings) {
        return settings.module(SETTINGS).sentHeaders();
    }

    /** Found once per level when the configuration loads, not at each tunnel's start. */
    private static Set<String> sentHeaders(List<AccessLog> accessLogs) {
        Set<String> names = new HashSet<>();
        for (AccessLog log : accessLogs) {
            Matcher m = SENT_HTTP.matcher(log.format().template().text());
            while (m.find()) {
                names.add(m.group(1).toLowerCase(Locale.ROOT).replace('_', '-'));
            }
        }
        return Set.copyOf(names);
    }
}
