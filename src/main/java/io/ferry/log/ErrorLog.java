package io.ferry.log;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** error_log FILE|stderr|syslog:... [LEVEL]; {@code syslog} is set for a syslog target. */
public record ErrorLog(String target, String level, Syslog syslog) {
    private static final Set<String> LEVELS = Set.of("debug", "info", "notice", "warn", "error", "crit", "alert", "emerg");

    public ErrorLog(String target, String level) {
        this(target, level, null);
    }

    public boolean isStderr() {
        return "stderr".equals(target);
    }

    /** The main level's error_log lines, files relative to the prefix; empty when there are none. */
    public static List<ErrorLog> of(List<Directive> lines, Path prefix) throws ConfException {
        List<ErrorLog> logs = new ArrayList<>();
        for (Directive d : lines) {
            String target = d.args().get(0);
            String level = d.args().size() > 1 ? d.args().get(1) : "error";
            if (!LEVELS.contains(level)) {
                throw Values.error(d, "invalid log level \"" + level + "\"");
            }
            if (Syslog.named(target)) {
                logs.add(new ErrorLog(target, level, Syslog.parse(d, target)));
                continue;
            }
            logs.add(new ErrorLog(target.equals("stderr") ? target : prefix.resolve(target).normalize().toString(), level));
        }
        return List.copyOf(logs);
    }

    /**
     * What a configuration without error_log writes to: the -e file when given (nginx's -e replaces only this
     * default, never the configuration's own error_log lines), else logs/error.log under the prefix.
     */
    public static ErrorLog fallback(String commandLine, Path prefix) {
        if (commandLine == null) {
            return new ErrorLog(prefix.resolve("logs/error.log").normalize().toString(), "error");
        }
        return new ErrorLog(commandLine.equals("stderr") ? "stderr" : prefix.resolve(commandLine).toString(), "error");
    }

    public static List<ErrorLog> orFallback(List<ErrorLog> configured, ErrorLog fallback) {
        return configured.isEmpty() ? List.of(fallback) : configured;
    }
}
