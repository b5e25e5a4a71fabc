package io.ferry.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import org.slf4j.Marker;

/**
 * Lets through what an error_log line's level takes, in nginx's eight severities: logback's five
 * levels cannot tell notice from info nor emerg from error, so the event's marker (notice, crit,
 * alert, emerg) decides where logback's level cannot.
 */
final class SeverityFilter extends Filter<ILoggingEvent> {
    static final List<String> SEVERITIES = List.of("emerg", "alert", "crit", "error", "warn", "notice", "info", "debug");

    private final int threshold;

    SeverityFilter(String level) {
        this.threshold = SEVERITIES.indexOf(level);
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return severity(event) <= threshold ? FilterReply.NEUTRAL : FilterReply.DENY;
    }

    static int severity(ILoggingEvent event) {
        List<Marker> markers = event.getMarkerList();
        if (markers != null && !markers.isEmpty()) {
            int marked = SEVERITIES.indexOf(markers.get(0).getName());
            if (marked >= 0) {
                return marked;
            }
        }
        Level l = event.getLevel();
        return l == Level.ERROR ? 3 : l == Level.WARN ? 4 : l == Level.INFO ? 6 : 7;
    }
}
