package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files the error log goes to: -e only stands in for a configuration that names none, as with nginx. */
class ErrorLogTest {
    private static final Path PREFIX = Path.of("/srv/ferry");
    @TempDir
    Path dir;

    @Test
    void configurationLinesWinOverTheCommandLineFile() throws Exception {
        List<ErrorLog> configured = new ConfigText(dir).load("error_log logs/debug.log debug;\nhttp {}\n").errorLogs();
        List<ErrorLog> used = ErrorLog.orFallback(configured, ErrorLog.fallback("other.log", PREFIX));
        assertThat(used).containsExactly(new ErrorLog(dir.resolve("logs/debug.log").toString(), "debug"));
    }

    @Test
    void commandLineFileStandsInWhenTheConfigurationHasNone() throws Exception {
        List<ErrorLog> configured = new ConfigText(dir).load("http {}\n").errorLogs();
        assertThat(ErrorLog.orFallback(configured, ErrorLog.fallback("other.log", PREFIX)))
                .containsExactly(new ErrorLog("/srv/ferry/other.log", "error"));
        assertThat(ErrorLog.orFallback(configured, ErrorLog.fallback("stderr", PREFIX)))
                .containsExactly(new ErrorLog("stderr", "error"));
        assertThat(ErrorLog.orFallback(configured, ErrorLog.fallback(null, PREFIX)))
                .containsExactly(new ErrorLog("/srv/ferry/logs/error.log", "error"));
    }
}
