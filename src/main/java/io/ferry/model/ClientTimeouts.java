package io.ferry.model;

import java.time.Duration;

/** client_body_timeout and send_timeout (between two reads / writes), and keepalive_requests. */
public record ClientTimeouts(Duration body, Duration send, int keepaliveRequests) {
    public static final ClientTimeouts DEFAULT = new ClientTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), 1000);
}
