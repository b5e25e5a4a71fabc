package io.ferry.module.limitreq;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.Level;
import io.ferry.module.SharedZone;
import io.ferry.variable.Template;

/**
 * One limit_req_zone: its key, its rate in milli-requests per second, and its buckets (kept across a
 * reload that keeps the zone's name and size).
 */
record LimitReqZone(String name, Template key, long rate, Buckets buckets) {
    /** nginx's ngx_http_limit_req_zone: KEY zone=NAME:SIZE rate=Nr/s|Nr/m [sync]. */
    static LimitReqZone of(Level http, Directive d) throws ConfException {
        SharedZone zone = null;
        long rate = 1;
        long scale = 1;
        for (String arg : d.args().subList(1, d.args().size())) {
            if (arg.startsWith("zone=")) {
                zone = SharedZone.parse(d, arg);
            } else if (arg.startsWith("rate=")) {
                String n = arg.substring(5);
                if (n.endsWith("r/s")) {
                    n = n.substring(0, n.length() - 3);
                } else if (n.endsWith("r/m")) {
                    n = n.substring(0, n.length() - 3);
                    scale = 60;
                }
                rate = n.matches("[0-9]{1,9}") ? Long.parseLong(n) : 0;
                if (rate <= 0) {
                    throw Values.error(d, "invalid rate \"" + arg + "\"");
                }
            } else if (!arg.equals("sync")) {
                // sync shares state between cluster nodes (nginx plus): one JVM needs nothing more
                throw Values.error(d, "invalid parameter \"" + arg + "\"");
            }
        }
        if (zone == null) {
            throw Values.error(d, "\"" + d.name() + "\" must have \"zone\" parameter");
        }
        SharedZone z = zone;
        Buckets buckets = z.state("limit_req", () -> new Buckets(z.capacity()));
        return new LimitReqZone(z.name(), http.template(d, d.args().get(0)), rate * 1000 / scale, buckets);
    }
}
