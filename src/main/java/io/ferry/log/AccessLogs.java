package io.ferry.log;

import io.ferry.variable.ConnectionScope;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The access log files of the running configuration: one writer per path, buffered ones flushed
 * every second (and by their flush= time), all flushed on exit and reopened on USR1.
 */
public final class AccessLogs {
    private final Map<Path, AccessLogWriter> writers = new ConcurrentHashMap<>();
    private final Map<Path, Long> flushNanos = new ConcurrentHashMap<>();
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferry-access-log-flush");
        t.setDaemon(true);
        return t;
    });

    public AccessLogs() {
        flusher.scheduleWithFixedDelay(this::flushDue, 1, 1, TimeUnit.SECONDS);
    }

    public void log(List<AccessLog> logs, ConnectionScope scope) {
        for (AccessLog log : logs) {
            if (log.condition() != null) {
                String v = log.condition().render(scope);
                if (v.isEmpty() || v.equals("0")) {
                    continue;
                }
            }
            String line = log.format().template().render(scope, value -> LogEscape.apply(log.format().escape(), value));
            writers.computeIfAbsent(log.path(), p -> {
                flushNanos.put(p, log.flush().isZero() ? TimeUnit.SECONDS.toNanos(1) : log.flush().toNanos());
                return new AccessLogWriter(p, log.bufferSize());
            }).write(line);
        }
    }

    private void flushDue() {
        writers.forEach((path, w) -> w.flushIfOlder(flushNanos.getOrDefault(path, 0L)));
    }

    public void reopen() {
        writers.values().forEach(AccessLogWriter::reopen);
    }

    /** Closes writers for paths the new configuration no longer names. */
    public void retainOnly(java.util.Set<Path> paths) {
        writers.entrySet().removeIf(e -> {
            if (paths.contains(e.getKey())) {
                return false;
            }
            e.getValue().close();
            return true;
        });
    }

    public void close() {
        flusher.shutdownNow();
        writers.values().forEach(AccessLogWriter::close);
        writers.clear();
    }
}
