package io.ferry.upstream;


import java.time.Duration;
import java.util.Set;

/**
 * PREFIX_next_upstream conditions with _tries and _timeout (0 = unlimited). An empty set is "off".
 * Each directive accepts its own subset of the conditions.
 */
public record NextUpstream(Set<Condition> conditions, int tries, Duration timeout) {
    public enum Condition {
        ERROR, TIMEOUT, INVALID_HEADER, HTTP_500, HTTP_502, HTTP_503, HTTP_504, HTTP_403, HTTP_404, HTTP_429, NON_IDEMPOTENT,
        /** memcached's: an answer that is not VALUE or END. */
        INVALID_RESPONSE,
        /** memcached's: END alone, a miss. */
        NOT_FOUND
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
        return switch (status) {
            case 500 -> Condition.HTTP_500;
            case 502 -> Condition.HTTP_502;
            case 503 -> Condition.HTTP_503;
            case 504 -> Condition.HTTP_504;
            case 403 -> Condition.HTTP_403;
            case 404 -> Condition.HTTP_404;
            case 429 -> Condition.HTTP_429;
            default -> null;
        };
    }
}
