package io.ferry.module.limitreq;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.hook.PreAccessHandler;
import io.ferry.log.LogLevel;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.variable.Variable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * nginx's limit_req module: a leaky bucket per key in a zone shared by the whole process; a request
 * over the rate waits (on a timer, holding no thread) up to the burst, beyond it is refused.
 */
public final class LimitReqModule implements Module {
    static final Slot<Map<String, LimitReqZone>> ZONES = new Slot<>();
    static final Slot<LimitReqSettings> SETTINGS = new Slot<>();
    /** What the request's limits decided, once per request (nginx's r->main->limit_req_status). */
    static final Slot<LimitReq.Status> STATUS = new Slot<>();

    @Override
    public String name() {
        return "http_limit_req_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("limit_req_zone", EnumSet.of(HTTP), 3, 4, null, true);
        rows.add("limit_req", EnumSet.of(HTTP, SERVER, LOCATION), 1, 3, null, true);
        rows.add("limit_req_status", EnumSet.of(HTTP, SERVER, LOCATION), 1, 1, null, false);
        rows.add("limit_req_log_level", EnumSet.of(HTTP, SERVER, LOCATION), 1, 1, null, false);
        rows.add("limit_req_dry_run", EnumSet.of(HTTP, SERVER, LOCATION), 1, 1, null, false);
    }

    @Override
    public Slot<?> httpSlot() {
        return ZONES;
    }

    @Override
    public Object httpSettings(Level http) throws ConfException {
        Map<String, LimitReqZone> zones = new HashMap<>();
        for (Directive d : http.ownAll("limit_req_zone")) {
            LimitReqZone zone = LimitReqZone.of(http, d);
            LimitReqZone before = zones.putIfAbsent(zone.name(), zone);
            if (before != null) {
                throw Values.error(d, "limit_req_zone \"" + zone.name() + "\" is already bound to key \"" + before.key().text() + "\"");
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
        Map<String, LimitReqZone> zones = level.http(ZONES);
        List<LimitReqSettings.Limit> limits = new ArrayList<>();
        for (Directive d : level.inheritedAll("limit_req")) {
            LimitReqSettings.Limit limit = LimitReqSettings.limit(d, zones == null ? Map.of() : zones);
            if (limits.stream().anyMatch(l -> l.zone() == limit.zone())) {
                throw Values.error(d, "\"limit_req\" directive is duplicate");
            }
            limits.add(limit);
        }
        Directive status = level.inherited("limit_req_status");
        Directive logLevel = level.inherited("limit_req_log_level");
        return new LimitReqSettings(List.copyOf(limits), status == null ? 503 : Values.between(status, 400, 599),
                logLevel == null ? LogLevel.ERROR : LogLevel.of(logLevel), level.flag("limit_req_dry_run", false));
    }

    @Override
    public Map<String, Variable> variables() {
        return Map.of("limit_req_status", s -> {
            LimitReq.Status st = s.moduleContext(STATUS);
            return st == null ? null : st.name();
        });
    }

    @Override
    public PreAccessHandler preAccessHandler() {
        return LimitReq::check;
    }
}
