package io.ferry.module.range;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.Exchange;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import java.util.EnumSet;

/**
 * nginx's range filter and its max_ranges: a response whose source can send any part of its body
 * (a file; {@link #allowRanges}) is answered with the parts a Range header asks for, one as a 206
 * with Content-Range, several as multipart/byteranges ({@link RangeFilter}). Listed after every
 * filter that may change the body's length or validators (add_header, charset, gzip), as nginx
 * runs its range header filter after theirs.
 */
public final class RangeModule implements Module {
    static final Slot<Integer> SETTINGS = new Slot<>();
    static final Slot<RangePlan> PLAN = new Slot<>();

    @Override
    public String name() {
        return "http_range_filter_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.one("max_ranges", EnumSet.of(HTTP, SERVER, LOCATION));
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        Directive d = level.inherited("max_ranges");
        if (d == null) {
            return Integer.MAX_VALUE;
        }
        return Values.between(d, 0, 999_999_999);
    }

    @Override
    public HeaderFilter headerFilter() {
        return RangeFilter::filter;
    }

    /** Marks the response about to be prepared as one whose body can be sent in parts (nginx's allow_ranges). */
    public static void allowRanges(Exchange ex) {
        ex.moduleContext(PLAN, RangePlan.ALLOWED);
    }

    /** What the range filter decided for a response marked by {@link #allowRanges}: null to send it whole. */
    public static RangePlan plan(Exchange ex) {
        RangePlan plan = ex.moduleContext(PLAN);
        return plan == RangePlan.ALLOWED ? null : plan;
    }

    static int maxRanges(Exchange ex) {
        Integer max = ex.settings().module(SETTINGS);
        return max == null ? Integer.MAX_VALUE : max;
    }
}
