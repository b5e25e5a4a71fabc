package io.ferry.module.limitreq;

import io.ferry.http.Exchange;
import io.ferry.http.hook.AccessHandler;
import io.ferry.module.limitreq.Buckets.Lookup;
import io.ferry.module.limitreq.Buckets.Outcome;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** nginx's ngx_http_limit_req_handler: the pre-access check of a request against its location's limit_req lines. */
final class LimitReq {

    /** $limit_req_status. */
    enum Status { PASSED, DELAYED, REJECTED, DELAYED_DRY_RUN, REJECTED_DRY_RUN }

    private LimitReq() {
    }

    static int check(Exchange ex) {
        LimitReqSettings s = ex.settings().module(LimitReqModule.SETTINGS);
        // once per request, as nginx's r->main->limit_req_status: an internal redirect or the end of a delay is not counted again
        if (s.limits().isEmpty() || ex.isSubrequest() || ex.moduleContext(LimitReqModule.STATUS) != null) {
            return AccessHandler.DECLINED;
        }
        List<LimitReqSettings.Limit> limits = s.limits();
        Lookup[] held = new Lookup[limits.size()];
        Lookup last = null;
        int n = 0;
        for (; n < limits.size(); n++) {
            LimitReqSettings.Limit limit = limits.get(n);
            String key = limit.zone().key().render(ex);
            if (key.isEmpty()) {
                continue;
            }
            if (key.length() > 65535) {
                ex.errorLog().error("*{} the value of the \"{}\" key is more than 65535 bytes: \"{}...\"", ex.connection(),
                        limit.zone().key().text(), key.substring(0, 16));
                continue;
            }
            last = limit.zone().buckets().lookup(key, limit.zone().rate(), limit.burst(), n == limits.size() - 1, now());
            if (last.outcome() != Outcome.AGAIN) {
                break;
            }
            held[n] = last;
        }
        if (last == null) {
            return AccessHandler.DECLINED;
        }
        if (last.outcome() == Outcome.BUSY || last.outcome() == Outcome.ERROR) {
            LimitReqZone zone = limits.get(n).zone();
            if (last.outcome() == Outcome.BUSY) {
                s.logLevel().log(ex.errorLog(), "*{} limiting requests{}, excess: {} by zone \"{}\", client: {}, server: {}, request: \"{} {} {}\"",
                        ex.connection(), s.dryRun() ? ", dry run" : "", milli(last.excess()), zone.name(),
                        ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol());
            } else {
                ex.errorLog().error("*{} could not allocate node in limit_req zone \"{}\"", ex.connection(), zone.name());
            }
            for (int i = 0; i < n; i++) {
                if (held[i] != null) {
                    limits.get(i).zone().buckets().unlock(held[i].bucket());
                }
            }
            ex.moduleContext(LimitReqModule.STATUS, s.dryRun() ? Status.REJECTED_DRY_RUN : Status.REJECTED);
            return s.dryRun() ? AccessHandler.DECLINED : s.status();
        }
        // the last limit counted the request at once; the earlier ones that held their bucket count it now
        long maxDelay = 0;
        long delayExcess = 0;
        LimitReqZone delayZone = null;
        if (last.outcome() == Outcome.OK) {
            LimitReqSettings.Limit limit = limits.get(n);
            maxDelay = delay(limit, last.excess());
            delayExcess = last.excess();
            delayZone = limit.zone();
        }
        for (int i = Math.min(n, limits.size()) - 1; i >= 0; i--) {
            if (held[i] == null) {
                continue;
            }
            LimitReqSettings.Limit limit = limits.get(i);
            long excess = limit.zone().buckets().account(held[i].bucket(), limit.zone().rate(), now());
            long delay = delay(limit, excess);
            if (delay > maxDelay) {
                maxDelay = delay;
                delayExcess = excess;
                delayZone = limit.zone();
            }
        }
        if (maxDelay == 0) {
            ex.moduleContext(LimitReqModule.STATUS, Status.PASSED);
            return AccessHandler.DECLINED;
        }
        s.logLevel().finer().log(ex.errorLog(), "*{} delaying request{}, excess: {}, by zone \"{}\", client: {}, server: {}, request: \"{} {} {}\"",
                ex.connection(), s.dryRun() ? ", dry run" : "", milli(delayExcess), delayZone.name(),
                ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol());
        if (s.dryRun()) {
            ex.moduleContext(LimitReqModule.STATUS, Status.DELAYED_DRY_RUN);
            return AccessHandler.DECLINED;
        }
        ex.moduleContext(LimitReqModule.STATUS, Status.DELAYED);
        // the request waits on its event loop's timer, holding no thread; the client is not read meanwhile
        ex.channel().eventLoop().schedule(ex::resumePreAccess, maxDelay, TimeUnit.MILLISECONDS);
        return AccessHandler.AGAIN;
    }

    /** How long a request at this excess waits under the limit: the part beyond its delay, drained at the zone's rate. */
    private static long delay(LimitReqSettings.Limit limit, long excess) {
        return excess <= limit.delay() ? 0 : (excess - limit.delay()) * 1000 / limit.zone().rate();
    }

    private static String milli(long excess) {
        return String.format("%d.%03d", excess / 1000, excess % 1000);
    }

    private static long now() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }
}
