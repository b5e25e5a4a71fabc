package io.ferry.gateway;

import io.ferry.upstream.NextUpstream;
import io.ferry.upstream.NextUpstream.Condition;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Set;

/**
 * proxy_next_upstream's decision for a failed attempt whose response has not reached the client:
 * the condition must be listed, _tries and _timeout not used up, a non-idempotent request that was
 * sent needs {@code non_idempotent}, and a sent body must still be held for the replay.
 */
final class RetryRule {
    private static final Set<HttpMethod> NON_IDEMPOTENT = Set.of(HttpMethod.POST, HttpMethod.PATCH, HttpMethod.valueOf("LOCK"));

    private RetryRule() {
    }

    static boolean allows(NextUpstream next, Condition cond, int peersTried, long elapsedNanos, HttpMethod method,
            boolean requestSent, boolean bodyReplayable) {
        if (!next.allows(cond, peersTried, elapsedNanos)) {
            return false;
        }
        if (requestSent && NON_IDEMPOTENT.contains(method) && !next.on(Condition.NON_IDEMPOTENT)) {
            return false;
        }
        return !requestSent || bodyReplayable;
    }
}
