package io.ferry.model;

import java.nio.file.Path;
import java.util.List;

/** One loaded configuration ("generation"): everything the server needs, immutable. */
public record FerryConfig(
        Path prefix,
        Path confFile,
        int workerProcesses,
        int workerConnections,
        Path pidFile,
        List<ErrorLog> errorLogs,
        HttpConfig http) {

    /** worker_processes auto. */
    public static final int AUTO = 0;
}
