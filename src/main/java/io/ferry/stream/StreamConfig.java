package io.ferry.stream;

import io.ferry.log.AccessLog;
import java.util.List;

/**
 * The stream block: TCP (and TLS) servers that relay raw bytes to an upstream group or answer with
 * return; {@code blockLogs} the access_log lines of the block itself, opened even where no server
 * inherits them. Empty when there is none.
 */
public record StreamConfig(List<StreamServer> servers, List<AccessLog> blockLogs) {
    public static final StreamConfig NONE = new StreamConfig(List.of(), List.of());
}
