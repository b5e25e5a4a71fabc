package io.ferry.stream;

import java.util.List;

/** The stream block: TCP (and TLS) servers that relay raw bytes to an upstream group. Empty when there is none. */
public record StreamConfig(List<StreamServer> servers) {
    public static final StreamConfig NONE = new StreamConfig(List.of());
}
