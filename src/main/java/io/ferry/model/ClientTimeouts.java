package io.ferry.model;

import java.time.Duration;
import java.util.Set;

/**
 * client_body_timeout and send_timeout (between two reads / writes), keepalive_requests,
 * keepalive_time (how long a connection may keep serving requests), keepalive_disable, and the
 * second argument of keepalive_timeout, sent as "Keep-Alive: timeout=N" (null: no such header).
 */
public record ClientTimeouts(Duration body, Duration send, int keepaliveRequests, Duration keepaliveTime,
        Set<KeepaliveDisable> keepaliveDisable, Duration keepaliveHeader) {
    public static final ClientTimeouts DEFAULT = new ClientTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), 1000,
            Duration.ofHours(1), Set.of(KeepaliveDisable.MSIE6), null);

    /** The browsers keepalive_disable names; "none" names neither. */
    public enum KeepaliveDisable { MSIE6, SAFARI }
}
