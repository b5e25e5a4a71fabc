package io.ferry.model;

import java.time.Duration;

/**
 * client_body_timeout and send_timeout (between two reads / writes), keepalive_requests, and
 * keepalive_time (how long a connection may keep serving requests).
 */
public record ClientTimeouts(Duration body, Duration send, int keepaliveRequests, Duration keepaliveTime) {
    public static final ClientTimeouts DEFAULT = new ClientTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), 1000,
            Duration.ofHours(1));
}
