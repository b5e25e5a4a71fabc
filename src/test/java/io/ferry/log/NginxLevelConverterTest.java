package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/** error_log lines in nginx's format: {@code 2026/11/25 20:30:58 [error] PID#TID: message}, nginx's level names. */
class NginxLevelConverterTest {
    @TempDir
    Path dir;

    private static String level(Level level, Marker marker) {
        LoggingEvent event = new LoggingEvent();
        event.setLevel(level);
        if (marker != null) {
            event.addMarker(marker);
        }
        return new NginxLevelConverter().convert(event);
    }

    @Test
    void levelsAreNamedAsNginxNamesThem() {
        assertThat(level(Level.ERROR, null)).isEqualTo("error");
        assertThat(level(Level.WARN, null)).isEqualTo("warn");
        assertThat(level(Level.INFO, null)).isEqualTo("info");
        assertThat(level(Level.DEBUG, null)).isEqualTo("debug");
        assertThat(level(Level.TRACE, null)).isEqualTo("debug");
    }

    @Test
    void noticeAndEmergRideOnMarkers() {
        assertThat(level(Level.INFO, ErrorLogs.NOTICE)).isEqualTo("notice");
        assertThat(level(Level.ERROR, ErrorLogs.EMERG)).isEqualTo("emerg");
        assertThat(level(Level.WARN, ErrorLogs.NOTICE)).as("a marker names only error and info events").isEqualTo("warn");
    }

    @Test
    void theConfiguredFileGetsNginxLinesAtItsLevelAndAbove() throws Exception {
        Path file = dir.resolve("error.log");
        Logger log = LoggerFactory.getLogger("io.ferry.error");
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        try {
            ErrorLogs.configure(List.of(new ErrorLog(file.toString(), "notice")));
            log.info(ErrorLogs.NOTICE, "signal process started");
            log.error("*3 connect() failed (111: Connection refused) while connecting to upstream");
            log.error(ErrorLogs.EMERG, "unknown directive \"x\" in /etc/ferry.conf:3");
            log.debug("not at notice");
        } finally {
            ctx.reset();
            new ContextInitializer(ctx).autoConfig();
        }
        String prefix = "\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d \\[%s\\] " + ProcessHandle.current().pid() + "#"
                + Thread.currentThread().getId() + ": ";
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches(String.format(prefix, "notice") + "signal process started");
        assertThat(lines.get(1)).matches(String.format(prefix, "error")
                + "\\*3 connect\\(\\) failed \\(111: Connection refused\\) while connecting to upstream");
        assertThat(lines.get(2)).matches(String.format(prefix, "emerg") + "unknown directive \"x\" in /etc/ferry.conf:3");
    }
}
