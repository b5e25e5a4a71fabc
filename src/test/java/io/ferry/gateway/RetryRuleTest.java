package io.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.upstream.NextUpstream;
import io.ferry.upstream.NextUpstream.Condition;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** proxy_next_upstream, _tries, _timeout and the non-idempotent rule, as nginx's ngx_http_upstream_next decides. */
class RetryRuleTest {
    private static final NextUpstream DEFAULT = new NextUpstream(EnumSet.of(Condition.ERROR, Condition.TIMEOUT), 0, Duration.ZERO);
    private static final long SECOND = 1_000_000_000L;

    private static boolean allows(NextUpstream next, Condition cond, HttpMethod method, boolean sent, boolean replayable) {
        return RetryRule.allows(next, cond, 1, 0, method, sent, replayable);
    }

    @Test
    void onlyTheListedConditionsMoveOn() {
        assertThat(allows(DEFAULT, Condition.ERROR, HttpMethod.GET, true, true)).isTrue();
        assertThat(allows(DEFAULT, Condition.TIMEOUT, HttpMethod.GET, true, true)).isTrue();
        assertThat(allows(DEFAULT, Condition.HTTP_502, HttpMethod.GET, true, true)).isFalse();
        assertThat(allows(DEFAULT, Condition.INVALID_HEADER, HttpMethod.GET, true, true)).isFalse();
        NextUpstream off = new NextUpstream(Set.of(), 0, Duration.ZERO);
        assertThat(allows(off, Condition.ERROR, HttpMethod.GET, false, true)).isFalse();
        NextUpstream http502 = new NextUpstream(EnumSet.of(Condition.HTTP_502), 0, Duration.ZERO);
        assertThat(allows(http502, Condition.HTTP_502, HttpMethod.GET, true, true)).isTrue();
        assertThat(allows(http502, Condition.ERROR, HttpMethod.GET, true, true)).isFalse();
    }

    @Test
    void triesCountEveryPeerTriedIncludingTheFirst() {
        NextUpstream two = new NextUpstream(EnumSet.of(Condition.ERROR), 2, Duration.ZERO);
        assertThat(RetryRule.allows(two, Condition.ERROR, 1, 0, HttpMethod.GET, true, true)).isTrue();
        assertThat(RetryRule.allows(two, Condition.ERROR, 2, 0, HttpMethod.GET, true, true)).isFalse();
        assertThat(RetryRule.allows(DEFAULT, Condition.ERROR, 1_000, 0, HttpMethod.GET, true, true))
                .as("tries 0 is unlimited").isTrue();
    }

    @Test
    void theTimeoutCountsFromTheFirstAttempt() {
        NextUpstream threeSeconds = new NextUpstream(EnumSet.of(Condition.ERROR), 0, Duration.ofSeconds(3));
        assertThat(RetryRule.allows(threeSeconds, Condition.ERROR, 1, 3 * SECOND - 1, HttpMethod.GET, true, true)).isTrue();
        assertThat(RetryRule.allows(threeSeconds, Condition.ERROR, 1, 3 * SECOND, HttpMethod.GET, true, true)).isFalse();
        assertThat(RetryRule.allows(DEFAULT, Condition.ERROR, 1, 3_600 * SECOND, HttpMethod.GET, true, true))
                .as("timeout 0 is unlimited").isTrue();
    }

    @Test
    void aSentNonIdempotentRequestMovesOnOnlyWithNonIdempotent() {
        for (HttpMethod method : new HttpMethod[] {HttpMethod.POST, HttpMethod.PATCH, HttpMethod.valueOf("LOCK")}) {
            assertThat(allows(DEFAULT, Condition.ERROR, method, true, true)).as("%s sent", method).isFalse();
            assertThat(allows(DEFAULT, Condition.ERROR, method, false, true)).as("%s never sent", method).isTrue();
        }
        for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS}) {
            assertThat(allows(DEFAULT, Condition.ERROR, method, true, true)).as("%s sent", method).isTrue();
        }
        NextUpstream withNonIdempotent = new NextUpstream(EnumSet.of(Condition.ERROR, Condition.NON_IDEMPOTENT), 0, Duration.ZERO);
        assertThat(allows(withNonIdempotent, Condition.ERROR, HttpMethod.POST, true, true)).isTrue();
    }

    @Test
    void aSentBodyThatWasNotKeptCannotBeSentAgain() {
        assertThat(allows(DEFAULT, Condition.ERROR, HttpMethod.PUT, true, false)).isFalse();
        assertThat(allows(DEFAULT, Condition.ERROR, HttpMethod.PUT, false, false)).as("nothing sent yet").isTrue();
    }
}
