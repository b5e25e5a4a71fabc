package io.ferry.stream;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.log.LogLevel;
import io.ferry.module.Level;
import io.ferry.module.SharedZone;
import io.ferry.module.limitconn.Counters;
import io.ferry.module.limitconn.LimitConnModule;
import io.ferry.module.limitconn.LimitConnModule.Limit;
import io.ferry.module.limitconn.LimitConnModule.Zone;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx's ngx_stream_limit_conn_module: how many sessions per key are open at once, counted from
 * the session's pre-access phase (before a TLS handshake) until it ends, in zones kept as http's
 * limit_conn keeps them ({@link SharedZone}, {@link Counters}).
 */
record StreamLimitConn(List<Limit> limits, LogLevel logLevel, boolean dryRun) {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    static final StreamLimitConn NONE = new StreamLimitConn(List.of(), LogLevel.ERROR, false);

    /** What $limit_conn_status says. */
    enum Status { PASSED, REJECTED, REJECTED_DRY_RUN }

    /** A server's limits (its own limit_conn lines, else the block's). */
    static StreamLimitConn of(Level server, Map<String, Zone> zones) throws ConfException {
        List<Limit> limits = new ArrayList<>();
        for (Directive d : server.inheritedAll("limit_conn")) {
            Zone zone = zones.get(d.args().get(0));
            if (zone == null) {
                throw Values.error(d, "zero size shared memory zone \"" + d.args().get(0) + "\"");
            }
            if (limits.stream().anyMatch(l -> l.zone() == zone)) {
                throw Values.error(d, "\"limit_conn\" directive is duplicate");
            }
            limits.add(new Limit(zone, LimitConnModule.connections(d)));
        }
        Directive level = server.inherited("limit_conn_log_level");
        return new StreamLimitConn(List.copyOf(limits), level == null ? LogLevel.ERROR : LogLevel.of(level),
                server.flag("limit_conn_dry_run", false));
    }

    /**
     * Counts the session under every limit, or refuses it at the first one full (what the earlier
     * ones counted is let go at once). {@code releases} gets what to run when the session ends.
     * Null when no limit applies (no key), else the status.
     */
    Status check(StreamVariables session, List<Runnable> releases) {
        Status status = null;
        for (Limit limit : limits) {
            String key = limit.zone().key().render(session);
            if (key.isEmpty()) {
                continue;
            }
            if (key.length() > 255) {
                LOG.error("the value of the \"{}\" key is more than 255 bytes: \"{}\"", limit.zone().key().text(), key);
                continue;
            }
            status = Status.PASSED;
            Counters counters = limit.zone().counters();
            Counters.Outcome outcome = counters.acquire(key, limit.conn());
            if (outcome == Counters.Outcome.COUNTED) {
                releases.add(() -> counters.release(key));
                continue;
            }
            if (outcome == Counters.Outcome.OVER) {
                logLevel.log(LOG, "limiting connections{} by zone \"{}\", client: {}, server: {}",
                        dryRun ? ", dry run," : "", limit.zone().name(), session.remoteAddr(), session.serverText());
            }
            releases.forEach(Runnable::run);
            releases.clear();
            return dryRun ? Status.REJECTED_DRY_RUN : Status.REJECTED;
        }
        return status;
    }
}
