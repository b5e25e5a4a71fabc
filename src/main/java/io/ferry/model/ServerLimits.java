package io.ferry.model;

import java.time.Duration;

/**
 * Limits that apply before a request is routed, so per server: client_header_buffer_size,
 * large_client_header_buffers (a request line or header longer than one buffer, or a header
 * block larger than all of them, is refused) and client_header_timeout.
 */
public record ServerLimits(int headerBufferSize, int largeBufferCount, int largeBufferSize, Duration headerTimeout) {
    public static final ServerLimits DEFAULT = new ServerLimits(1024, 4, 8192, Duration.ofSeconds(60));
}
