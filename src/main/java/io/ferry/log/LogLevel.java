package io.ferry.log;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import org.slf4j.Logger;

/**
 * The error_log levels a module's *_log_level directive may name (info, notice, warn, error), and the
 * level one step finer, at which nginx's limit modules log what they delay.
 */
public enum LogLevel {
    INFO, NOTICE, WARN, ERROR;

    /** The level the directive names, or nginx's "invalid value" error. */
    public static LogLevel of(Directive d) throws ConfException {
        for (LogLevel l : values()) {
            if (l.name().equalsIgnoreCase(d.args().get(0))) {
                return l;
            }
        }
        throw Values.error(d, "\"" + d.name() + "\" directive invalid value");
    }

    /** One step finer (nginx's level + 1); info stays info, the finest these directives reach. */
    public LogLevel finer() {
        return this == INFO ? INFO : values()[ordinal() - 1];
    }

    public void log(Logger log, String format, Object... args) {
        switch (this) {
            case INFO -> log.info(format, args);
            case NOTICE -> log.info(ErrorLogs.NOTICE, format, args);
            case WARN -> log.warn(format, args);
            case ERROR -> log.error(format, args);
        }
    }
}
