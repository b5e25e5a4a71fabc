package io.ferry.module.limitreq;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.log.LogLevel;
import java.util.List;
import java.util.Map;

/** A level's limit_req lines (all of the nearest level that writes any) and how refusals are answered and logged. */
record LimitReqSettings(List<Limit> limits, int status, LogLevel logLevel, boolean dryRun) {
    /** One limit_req: burst and delay in milli-requests, as nginx compares them with a bucket's excess. */
    record Limit(LimitReqZone zone, long burst, long delay) {
    }

    /** nginx's delay for nodelay: never reached. */
    private static final long NO_DELAY = Long.MAX_VALUE / 1000;

    /** limit_req zone=NAME [burst=N] [nodelay | delay=N]. */
    static Limit limit(Directive d, Map<String, LimitReqZone> zones) throws ConfException {
        String name = null;
        long burst = 0;
        long delay = 0;
        boolean nodelay = false;
        for (String arg : d.args()) {
            if (arg.startsWith("zone=")) {
                int colon = arg.indexOf(':');
                name = arg.substring(5, colon < 0 ? arg.length() : colon);
            } else if (arg.startsWith("burst=")) {
                burst = positive(arg.substring(6));
                if (burst <= 0) {
                    throw Values.error(d, "invalid burst value \"" + arg + "\"");
                }
            } else if (arg.startsWith("delay=")) {
                delay = positive(arg.substring(6));
                if (delay <= 0) {
                    throw Values.error(d, "invalid delay value \"" + arg + "\"");
                }
            } else if (arg.equals("nodelay")) {
                nodelay = true;
            } else {
                throw Values.error(d, "invalid parameter \"" + arg + "\"");
            }
        }
        if (name == null) {
            throw Values.error(d, "\"limit_req\" must have \"zone\" parameter");
        }
        LimitReqZone zone = zones.get(name);
        if (zone == null) {
            throw Values.error(d, "zero size shared memory zone \"" + name + "\"");
        }
        return new Limit(zone, burst * 1000, nodelay ? NO_DELAY : delay * 1000);
    }

    private static long positive(String n) {
        return n.matches("[0-9]{1,9}") ? Long.parseLong(n) : -1;
    }
}
