package io.ferry.upstream;


import java.time.Duration;
import java.util.Set;

/**
 * PREFIX_next_upstream conditions with _tries and _timeout (0 = unlimited). An empty set is "off".
 * Each directive accepts its own subset of the conditions.
 */
public record NextUpstream(Set<Condition> conditions, int tries, Duration timeout) {
    public enum Condition {
        ERROR, TIMEOUT, INVALID_HEADER, HTTP_500(500), HTTP_502(502), HTTP_503(503), HTTP_504(504), HTTP_403(403),
        HTTP_404(404), HTTP_429(429), NON_IDEMPOTENT,
        /** memcached's: an answer that is not VALUE or END. */
        INVALID_RESPONSE,
        /** memcached's: END alone, a miss. */
        NOT_FOUND;

        private static final Condition[] ALL = values();
        /** The response status the condition names (http_500 ...), or 0 for a failure to get an answer. */
        private final int status;

        Condition() {
            this(0);
        }

        Condition(int status) {
            this.status = status;
        }

        /** Whether the peer answered, with a status this condition names, rather than failed. */
        public boolean isStatus() {
            return status != 0;
        }
    }

    public boolean on(Condition c) {
        return conditions.contains(c);
    }

    /** Whether a failure of {@code c} may move on to another peer: listed, with _tries and _timeout not used up. */
    public boolean allows(Condition c, int peersTried, long elapsedNanos) {
        return on(c) && (tries <= 0 || peersTried < tries) && (timeout.isZero() || elapsedNanos < timeout.toNanos());
    }

    /** The condition a response status stands for, or null when the status is not a retry reason. */
    public static Condition forStatus(int status) {
        for (Condition c : Condition.ALL) {
            if (c.status == status && c.isStatus()) {
                return c;
            }
        }
        return null;
    }
}
