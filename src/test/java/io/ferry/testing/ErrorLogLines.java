package io.ferry.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Ferry's error_log lines while attached; thread-safe, since event loops log while the test thread reads. */
public final class ErrorLogLines extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("io.ferry.error");
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private ErrorLogLines() {
        setName("error-log-lines");
        start();
        logger.addAppender(this);
    }

    public static ErrorLogLines capture() {
        return new ErrorLogLines();
    }

    @Override
    protected void append(ILoggingEvent e) {
        lines.add(e.getFormattedMessage());
    }

    /** The lines so far, live: a test may clear them between requests. */
    public List<String> lines() {
        return lines;
    }

    public long count(String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).count();
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
