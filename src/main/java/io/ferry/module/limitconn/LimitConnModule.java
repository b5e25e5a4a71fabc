package io.ferry.module.limitconn;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.Exchange;
import io.ferry.http.hook.AccessHandler;
import io.ferry.http.hook.PreAccessHandler;
import io.ferry.log.LogLevel;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.module.SharedZone;
import io.ferry.variable.Template;
import io.ferry.variable.Variable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * nginx's limit_conn module: how many requests per key are being processed at once, in a zone
 * shared by the whole process. As nginx, a request counts from its pre-access phase (its header has
 * been read) until it ends, a WebSocket until its tunnel closes.
 */
public final class LimitConnModule implements Module {
    static final Slot<Map<String, Zone>> ZONES = new Slot<>();
    static final Slot<Settings> SETTINGS = new Slot<>();
    /** $limit_conn_status, once per request (nginx's r->main->limit_conn_status). */
    static final Slot<Status> STATUS = new Slot<>();

    enum Status { PASSED, REJECTED, REJECTED_DRY_RUN }

    public record Zone(String name, Template key, Counters counters) {
    }

    public record Limit(Zone zone, int conn) {
    }

    record Settings(List<Limit> limits, int status, LogLevel logLevel, boolean dryRun) {
    }

    @Override
    public String name() {
        return "http_limit_conn_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("limit_conn_zone", EnumSet.of(HTTP), 2, 2, null, true);
        rows.add("limit_conn", EnumSet.of(HTTP, SERVER, LOCATION), 2, 2, null, true);
        rows.add("limit_conn_status", EnumSet.of(HTTP, SERVER, LOCATION), 1, 1, null, false);
        rows.add("limit_conn_log_level", EnumSet.of(HTTP, SERVER, LOCATION), 1, 1, null, false);
        rows.add("limit_conn_dry_run", EnumSet.of(HTTP, SERVER, LOCATION), 1, 1, null, false);
    }

    @Override
    public Slot<?> httpSlot() {
        return ZONES;
    }

    @Override
    public Object httpSettings(Level http) throws ConfException {
        return zones(http, "limit_conn");
    }

    /** The limit_conn_zone lines of a level (http's, or stream's under its own {@code kind} of zone). */
    public static Map<String, Zone> zones(Level level, String kind) throws ConfException {
        Map<String, Zone> zones = new HashMap<>();
        for (Directive d : level.ownAll("limit_conn_zone")) {
            SharedZone z = SharedZone.parse(d, d.args().get(1));
            if (z == null) {
                throw Values.error(d, "invalid parameter \"" + d.args().get(1) + "\"");
            }
            Zone zone = new Zone(z.name(), level.template(d, d.args().get(0)), z.state(kind, () -> new Counters(z.capacity())));
            Zone before = zones.putIfAbsent(z.name(), zone);
            if (before != null) {
                throw Values.error(d, "limit_conn_zone \"" + z.name() + "\" is already bound to key \"" + before.key().text() + "\"");
            }
        }
        return Map.copyOf(zones);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        Map<String, Zone> zones = level.http(ZONES);
        List<Limit> limits = new ArrayList<>();
        for (Directive d : level.inheritedAll("limit_conn")) {
            Zone zone = zones == null ? null : zones.get(d.args().get(0));
            if (zone == null) {
                throw Values.error(d, "zero size shared memory zone \"" + d.args().get(0) + "\"");
            }
            if (limits.stream().anyMatch(l -> l.zone() == zone)) {
                throw Values.error(d, "\"limit_conn\" directive is duplicate");
            }
            limits.add(new Limit(zone, connections(d)));
        }
        Directive status = level.inherited("limit_conn_status");
        Directive logLevel = level.inherited("limit_conn_log_level");
        return new Settings(List.copyOf(limits), status == null ? 503 : Values.between(status, 400, 599),
                logLevel == null ? LogLevel.ERROR : LogLevel.of(logLevel), level.flag("limit_conn_dry_run", false));
    }

    /** The number of a limit_conn line, http's or stream's, with nginx's errors. */
    public static int connections(Directive d) throws ConfException {
        String n = d.args().get(1);
        int conn = n.matches("[0-9]{1,5}") ? Integer.parseInt(n) : 0;
        if (conn <= 0) {
            throw Values.error(d, "invalid number of connections \"" + n + "\"");
        }
        if (conn > 65535) {
            throw Values.error(d, "connection limit must be less 65536");
        }
        return conn;
    }

    @Override
    public Map<String, Variable> variables() {
        return Map.of("limit_conn_status", s -> {
            Status st = s.moduleContext(STATUS);
            return st == null ? null : st.name();
        });
    }

    @Override
    public PreAccessHandler preAccessHandler() {
        return LimitConnModule::check;
    }

    /** nginx's ngx_http_limit_conn_handler: every limit counts the request, or the first one full refuses it. */
    private static int check(Exchange ex) {
        Settings s = ex.settings().module(SETTINGS);
        if (s.limits().isEmpty() || ex.isSubrequest() || ex.moduleContext(STATUS) != null) {
            return AccessHandler.DECLINED;
        }
        List<Runnable> releases = new ArrayList<>(s.limits().size());
        for (Limit limit : s.limits()) {
            String key = limit.zone().key().render(ex);
            if (key.isEmpty()) {
                continue;
            }
            if (key.length() > 255) {
                ex.errorLog().error("*{} the value of the \"{}\" key is more than 255 bytes: \"{}\"", ex.connection(), limit.zone().key().text(), key);
                continue;
            }
            ex.moduleContext(STATUS, Status.PASSED);
            Counters.Outcome outcome = limit.zone().counters().acquire(key, limit.conn());
            if (outcome == Counters.Outcome.COUNTED) {
                Counters counters = limit.zone().counters();
                releases.add(() -> counters.release(key));
                continue;
            }
            if (outcome == Counters.Outcome.OVER) {
                s.logLevel().log(ex.errorLog(), "*{} limiting connections{} by zone \"{}\", client: {}, server: {}, request: \"{} {} {}\"",
                        ex.connection(), s.dryRun() ? ", dry run," : "", limit.zone().name(),
                        ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol());
            }
            // as nginx's ngx_http_limit_conn_cleanup_all: what the earlier limits counted is let go at once
            releases.forEach(Runnable::run);
            ex.moduleContext(STATUS, s.dryRun() ? Status.REJECTED_DRY_RUN : Status.REJECTED);
            return s.dryRun() ? AccessHandler.DECLINED : s.status();
        }
        releases.forEach(ex::onEnd);
        return AccessHandler.DECLINED;
    }
}
