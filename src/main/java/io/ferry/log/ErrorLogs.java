package io.ferry.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * error_log: routes every log event to the configured files (or stderr, or syslog) in nginx's line format,
 * {@code 2026/11/25 20:30:58 [error] PID#TID: message}. Reconfiguring reopens the files, which is
 * what USR1 (reopen) needs after logrotate moved them.
 */
public final class ErrorLogs {
    /** Marks events nginx would log at "notice" (logback has no such level). */
    public static final Marker NOTICE = MarkerFactory.getMarker("notice");
    /** Marks events nginx would log at "alert". */
    public static final Marker ALERT = MarkerFactory.getMarker("alert");
    /** Marks events nginx would log at "emerg". */
    public static final Marker EMERG = MarkerFactory.getMarker("emerg");

    private static final Map<String, Level> LEVELS = Map.of(
            "debug", Level.DEBUG, "info", Level.INFO, "notice", Level.INFO, "warn", Level.WARN,
            "error", Level.ERROR, "crit", Level.ERROR, "alert", Level.ERROR, "emerg", Level.ERROR);

    private static final org.slf4j.Logger MAIN = LoggerFactory.getLogger("io.ferry.error");
    /** One logger per distinct set of http/server/location error_log lines, made at first use after each configure. */
    private static final Map<List<ErrorLog>, org.slf4j.Logger> ROUTES = new ConcurrentHashMap<>();
    private static final AtomicInteger ROUTE_NAMES = new AtomicInteger();
    /** Sets a configuration being loaded names, opened by the next configure as nginx opens every log at start. */
    private static final java.util.Set<List<ErrorLog>> DECLARED = ConcurrentHashMap.newKeySet();

    private ErrorLogs() {
    }

    /**
     * Where a request's error lines go: the main-level logs for null, else {@code logs} alone, each
     * at its own level (nginx's error_log in http, server or location).
     */
    public static org.slf4j.Logger route(List<ErrorLog> logs) {
        return logs == null ? MAIN : ROUTES.computeIfAbsent(logs, ErrorLogs::newRoute);
    }

    /** A set of error_log lines a level of the configuration being loaded has: its files open with the main ones. */
    static void declare(List<ErrorLog> logs) {
        DECLARED.add(logs);
    }

    private static org.slf4j.Logger newRoute(List<ErrorLog> logs) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger logger = ctx.getLogger("io.ferry.error.route" + ROUTE_NAMES.incrementAndGet());
        logger.setAdditive(false);
        Level finest = Level.ERROR;
        for (ErrorLog log : logs) {
            Level level = LEVELS.getOrDefault(log.level(), Level.ERROR);
            if (!level.isGreaterOrEqual(finest)) {
                finest = level;
            }
            logger.addAppender(appender(ctx, log));
        }
        logger.setLevel(finest);
        return logger;
    }

    public static synchronized void configure(List<ErrorLog> logs) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        // reset closed the routes' files; they open again (reopened, after USR1) on their next line
        ROUTES.clear();
        ROUTE_NAMES.set(0);
        for (List<ErrorLog> declared : DECLARED) {
            route(declared);
        }
        DECLARED.clear();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        Level finest = Level.ERROR;
        for (ErrorLog log : logs) {
            Level level = LEVELS.getOrDefault(log.level(), Level.ERROR);
            if (!level.isGreaterOrEqual(finest)) {
                finest = level;
            }
            root.addAppender(appender(ctx, log));
        }
        root.setLevel(finest);
        // Netty's own debug chatter is not the operator's business below "info".
        ctx.getLogger("io.netty").setLevel(finest.isGreaterOrEqual(Level.INFO) ? Level.WARN : finest);
    }

    /** The pid operators signal (bin/ferry's, when it supervises), so log lines and the pid file agree. */
    public static long masterPid() {
        String supervisor = System.getenv("FERRY_SUPERVISOR_PID");
        return supervisor != null && supervisor.matches("\\d+") ? Long.parseLong(supervisor) : ProcessHandle.current().pid();
    }

    private static Appender<ILoggingEvent> appender(LoggerContext ctx, ErrorLog log) {
        @SuppressWarnings("unchecked")
        Map<String, String> registry = (Map<String, String>) ctx.getObject(ch.qos.logback.core.CoreConstants.PATTERN_RULE_REGISTRY);
        if (registry == null) {
            registry = new java.util.HashMap<>();
            ctx.putObject(ch.qos.logback.core.CoreConstants.PATTERN_RULE_REGISTRY, registry);
        }
        registry.put("ngxlevel", NginxLevelConverter.class.getName());
        registry.put("tid", ThreadIdConverter.class.getName());
        String pattern = "%d{yyyy/MM/dd HH:mm:ss} [%ngxlevel] " + masterPid() + "#%tid: %msg";
        if (log.syslog() != null) {
            PatternLayout layout = new PatternLayout();
            layout.setContext(ctx);
            layout.setPattern(pattern);
            layout.start();
            return started(new SyslogAppender(log.syslog(), layout), ctx, log);
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(pattern + "%n");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender;
        if (log.isStderr()) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.err");
            appender = console;
        } else {
            FileAppender<ILoggingEvent> file = new FileAppender<>();
            file.setFile(log.target());
            file.setAppend(true);
            appender = file;
        }
        appender.setEncoder(encoder);
        return started(appender, ctx, log);
    }

    private static Appender<ILoggingEvent> started(Appender<ILoggingEvent> appender, LoggerContext ctx, ErrorLog log) {
        appender.setContext(ctx);
        SeverityFilter filter = new SeverityFilter(log.level());
        filter.start();
        appender.addFilter(filter);
        appender.start();
        return appender;
    }

    /** An error_log syslog: target: the line as a file gets it, without its line feed, at the event's own severity. */
    private static final class SyslogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
        private final Syslog syslog;
        private final PatternLayout layout;

        SyslogAppender(Syslog syslog, PatternLayout layout) {
            this.syslog = syslog;
            this.layout = layout;
        }

        @Override
        protected void append(ILoggingEvent event) {
            syslog.sendError(SeverityFilter.severity(event), layout.doLayout(event));
        }
    }
}
