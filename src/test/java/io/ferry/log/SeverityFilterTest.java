package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;
import org.slf4j.MarkerFactory;

/** error_log's level in nginx's eight severities: notice above info, crit/alert/emerg above error. */
class SeverityFilterTest {
    private static LoggingEvent event(Level level, String marker) {
        LoggingEvent e = new LoggingEvent();
        e.setLevel(level);
        if (marker != null) {
            e.addMarker(MarkerFactory.getMarker(marker));
        }
        return e;
    }

    @Test
    void noticeTakesNoticeNotInfo() {
        SeverityFilter notice = new SeverityFilter("notice");
        assertThat(notice.decide(event(Level.INFO, "notice"))).isEqualTo(FilterReply.NEUTRAL);
        assertThat(notice.decide(event(Level.INFO, null))).isEqualTo(FilterReply.DENY);
        assertThat(notice.decide(event(Level.WARN, null))).isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void alertAndEmergLeavePlainErrorsOut() {
        assertThat(new SeverityFilter("alert").decide(event(Level.ERROR, null))).isEqualTo(FilterReply.DENY);
        assertThat(new SeverityFilter("alert").decide(event(Level.ERROR, "alert"))).isEqualTo(FilterReply.NEUTRAL);
        assertThat(new SeverityFilter("emerg").decide(event(Level.ERROR, "crit"))).isEqualTo(FilterReply.DENY);
        assertThat(new SeverityFilter("emerg").decide(event(Level.ERROR, "emerg"))).isEqualTo(FilterReply.NEUTRAL);
        assertThat(new SeverityFilter("debug").decide(event(Level.DEBUG, null))).isEqualTo(FilterReply.NEUTRAL);
    }
}
