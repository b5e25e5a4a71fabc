package io.ferry.hardening;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Collects what one logger writes while attached (thread-safe, unlike Logback's ListAppender, since
 * Ferry's event loops log while the test thread reads).
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    static final String ERROR_LOG = "io.ferry.error";
    /** Every logger: Ferry's (the error log and per-class ones) and Netty's own warnings. */
    static final String EVERYTHING = Logger.ROOT_LOGGER_NAME;

    private final Logger logger;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private LogCapture(String name) {
        this.logger = (Logger) LoggerFactory.getLogger(name);
        setName("hardening-capture");
        start();
        logger.addAppender(this);
    }

    static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    /**
     * "LEVEL message", the level as nginx names it when a marker carries it ("ERROR/alert ..."), and
     * any exception attached to the event after " <- ".
     */
    @Override
    protected void append(ILoggingEvent e) {
        StringBuilder line = new StringBuilder().append(e.getLevel());
        if (e.getMarkerList() != null && !e.getMarkerList().isEmpty()) {
            line.append('/').append(e.getMarkerList().get(0).getName());
        }
        line.append(' ').append(e.getFormattedMessage());
        if (e.getThrowableProxy() != null) {
            line.append(" <- ").append(e.getThrowableProxy().getClassName()).append(": ").append(e.getThrowableProxy().getMessage());
        }
        lines.add(line.toString());
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    List<String> containing(String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).collect(Collectors.toList());
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
