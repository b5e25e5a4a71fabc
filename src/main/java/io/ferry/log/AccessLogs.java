package io.ferry.log;

import io.ferry.variable.ConnectionScope;
import io.ferry.variable.RequestScope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * The access log files of the running configuration: one writer per path, buffered ones flushed
 * every second (and by their flush= time), all flushed on exit and reopened on USR1.
 */
public final class AccessLogs {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    private static final Marker CRIT = MarkerFactory.getMarker("crit");

    private final Map<Path, AccessLogWriter> writers = new ConcurrentHashMap<>();
    private final Map<Path, Long> flushNanos = new ConcurrentHashMap<>();
    /** The open_log_file_caches used so far, whose descriptors reopen, reload and exit close. */
    private final Set<OpenLogFileCache> caches = ConcurrentHashMap.newKeySet();
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
            if (log.syslog() != null) {
                log.syslog().sendAccess(line);
                continue;
            }
            if (log.pathTemplate() != null) {
                writeNamed(log, line, scope);
                continue;
            }
            writer(log).write(line);
        }
    }

    /** Opens (creating) the files of {@code logs} now, as nginx opens every access_log it reads, written to or not. */
    public void open(List<AccessLog> logs) {
        logs.stream().filter(l -> l.syslog() == null && l.pathTemplate() == null).forEach(this::writer);
    }

    private AccessLogWriter writer(AccessLog log) {
        return writers.computeIfAbsent(log.path(), p -> {
            flushNanos.put(p, log.flush().isZero() ? TimeUnit.SECONDS.toNanos(1) : log.flush().toNanos());
            return new AccessLogWriter(p, log.bufferSize(), log.gzip());
        });
    }

    /**
     * A log whose name has variables: written only while the request's root directory exists (so
     * that a request for a missing site cannot create logs anywhere), to the file its name renders
     * to, opened for this line unless open_log_file_cache keeps it.
     */
    private void writeNamed(AccessLog log, String line, ConnectionScope scope) {
        if (scope instanceof RequestScope request && request.documentRoot() != null) {
            Path root = Path.of(request.documentRoot());
            if (!Files.isDirectory(root)) {
                if (Files.exists(root)) {
                    LOG.error("testing \"{}\" existence failed (20: Not a directory)", root);
                }
                return;
            }
        }
        Path path = Path.of(log.pathTemplate().render(scope));
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(line + "\n");
        try {
            if (log.cache() != null) {
                caches.add(log.cache());
                log.cache().write(path, bytes);
                return;
            }
            try (FileChannel file = OpenLogFileCache.open(path)) {
                while (bytes.hasRemaining()) {
                    file.write(bytes);
                }
            }
        } catch (IOException e) {
            LOG.error(CRIT, "open() \"{}\" failed ({})", path,
                    e instanceof NoSuchFileException ? "2: No such file or directory" : e.getMessage());
        }
    }

    private void flushDue() {
        writers.forEach((path, w) -> w.flushIfOlder(flushNanos.getOrDefault(path, 0L)));
    }

    public void reopen() {
        writers.values().forEach(AccessLogWriter::reopen);
        caches.forEach(OpenLogFileCache::closeAll);
    }

    /** Closes writers for paths the new configuration no longer names. */
    public void retainOnly(java.util.Set<Path> paths) {
        caches.forEach(OpenLogFileCache::closeAll);
        caches.clear();
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
        caches.forEach(OpenLogFileCache::closeAll);
    }
}
