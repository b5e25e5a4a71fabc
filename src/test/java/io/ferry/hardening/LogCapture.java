package io.ferry.hardening;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Collects what one logger writes while attached (thread-safe, unlike Logback's ListAppender, since
 * Ferry's event loops log while the test thread reads).
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    /** The logger Netty's paranoid leak detector reports through. */
    static final String LEAKS = "io.netty.util.ResourceLeakDetector";
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

    /**
     * The leak detector reports a lost buffer only when a later allocation finds its reference
     * collected: collect garbage, then allocate and release a few tracked buffers so that every
     * pending report is written before the test looks.
     */
    static void flushLeakReports() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(50);
            for (ByteBufAllocator alloc : new ByteBufAllocator[] {ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT,
                    UnpooledByteBufAllocator.DEFAULT}) {
                for (int i = 0; i < 8; i++) {
                    ByteBuf b = alloc.directBuffer(16);
                    b.release();
                    ByteBuf h = alloc.heapBuffer(16);
                    h.release();
                }
            }
        }
    }
}
