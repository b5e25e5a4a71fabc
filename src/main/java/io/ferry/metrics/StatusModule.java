package io.ferry.metrics;

import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.http.conn.ConnectionStates;
import io.ferry.http.Exchange;
import io.ferry.http.hook.ContentHandler;
import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.module.Services;
import io.ferry.variable.RequestScope;
import io.ferry.variable.Variable;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * nginx's stub_status module and Ferry's Prometheus {@code metrics}: a location that writes either
 * answers from the server's own counters. Like every content directive, neither is inherited.
 */
public final class StatusModule implements Module {
    private enum Report { STUB_STATUS, METRICS }

    private static final Slot<Report> REPORT = new Slot<>();

    @Override
    public String name() {
        return "http_stub_status_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("stub_status", EnumSet.of(SERVER, LOCATION), 0, 1, null, false);
        rows.add("metrics", EnumSet.of(LOCATION), 0, 0, null, false);
    }

    @Override
    public Slot<?> settingsSlot() {
        return REPORT;
    }

    @Override
    public Object settings(Level level) {
        return level.own("stub_status") != null ? Report.STUB_STATUS : level.own("metrics") != null ? Report.METRICS : null;
    }

    /** nginx's $connections_*: the counters stub_status prints, for any request of the server. */
    @Override
    public Map<String, Variable> variables() {
        return Map.of(
                "connections_active", s -> count(s, ConnectionStates::active),
                "connections_reading", s -> count(s, states -> states.count(ConnectionStates.State.READING)),
                "connections_writing", s -> count(s, states -> states.count(ConnectionStates.State.WRITING)),
                "connections_waiting", s -> count(s, states -> states.count(ConnectionStates.State.WAITING)));
    }

    private static String count(RequestScope scope, ToIntFunction<ConnectionStates> count) {
        return scope instanceof Exchange ex ? Integer.toString(count.applyAsInt(ex.connectionStates())) : null;
    }

    @Override
    public ContentPhaseHandler contentHandler(Services services) {
        ContentHandler stubStatus = new StubStatusHandler(services.states());
        ContentHandler metrics = new MetricsHandler(services.metrics());
        return ex -> {
            Report report = ex.settings().module(REPORT);
            if (report == null) {
                return false;
            }
            (report == Report.STUB_STATUS ? stubStatus : metrics).handle(ex);
            return true;
        };
    }
}
