package io.ferry.model;

import io.ferry.log.ErrorLog;
import io.ferry.stream.StreamConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One loaded configuration ("generation"): everything the server needs, immutable.
 * {@code workerShutdownTimeout} is null when not configured.
 */
public record FerryConfig(
        Path prefix,
        Path confFile,
        int workerProcesses,
        int workerConnections,
        Path pidFile,
        List<ErrorLog> errorLogs,
        Duration workerShutdownTimeout,
        HttpConfig http,
        StreamConfig stream) {

    /** worker_processes auto. */
    public static final int AUTO = 0;
}
