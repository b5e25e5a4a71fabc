package io.ferry.module.limitreq;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.module.limitreq.Buckets.Lookup;
import io.ferry.module.limitreq.Buckets.Outcome;
import org.junit.jupiter.api.Test;

/**
 * The leaky bucket's arithmetic as ngx_http_limit_req_module.c does it: rates and excess in
 * milli-requests, one request adding 1000, the rate draining it per elapsed millisecond.
 */
class BucketsTest {
    private static final long ONE_PER_SECOND = 1000;

    @Test
    void aFirstRequestPassesAndASecondInTheSameMillisecondIsRefusedWithoutBurst() {
        Buckets b = new Buckets(16);
        assertThat(b.lookup("k", ONE_PER_SECOND, 0, true, 0).outcome()).isEqualTo(Outcome.OK);
        Lookup second = b.lookup("k", ONE_PER_SECOND, 0, true, 0);
        assertThat(second.outcome()).isEqualTo(Outcome.BUSY);
        assertThat(second.excess()).isEqualTo(1000);
    }

    @Test
    void theBucketDrainsAtTheRate() {
        Buckets b = new Buckets(16);
        b.lookup("k", ONE_PER_SECOND, 0, true, 0);
        assertThat(b.lookup("k", ONE_PER_SECOND, 0, true, 999).outcome()).as("1 ms early").isEqualTo(Outcome.BUSY);
        Lookup later = b.lookup("k", ONE_PER_SECOND, 0, true, 1000);
        assertThat(later.outcome()).isEqualTo(Outcome.OK);
        assertThat(later.excess()).isZero();
    }

    @Test
    void burstAdmitsThatManyMoreAndTheExcessTellsTheDelay() {
        Buckets b = new Buckets(16);
        long burst = 2000;
        assertThat(b.lookup("k", ONE_PER_SECOND, burst, true, 0).excess()).isZero();
        assertThat(b.lookup("k", ONE_PER_SECOND, burst, true, 0).excess()).isEqualTo(1000);
        assertThat(b.lookup("k", ONE_PER_SECOND, burst, true, 0).excess()).isEqualTo(2000);
        assertThat(b.lookup("k", ONE_PER_SECOND, burst, true, 0).outcome()).isEqualTo(Outcome.BUSY);
        // 500 ms drain half a request: 2000 - 500 + 1000 is still over the burst.
        assertThat(b.lookup("k", ONE_PER_SECOND, burst, true, 500).outcome()).isEqualTo(Outcome.BUSY);
        assertThat(b.lookup("k", ONE_PER_SECOND, burst, true, 1000).excess()).isEqualTo(2000);
    }

    @Test
    void aRefusedRequestLeavesTheBucketAsItWas() {
        Buckets b = new Buckets(16);
        b.lookup("k", ONE_PER_SECOND, 0, true, 0);
        for (int i = 0; i < 5; i++) {
            b.lookup("k", ONE_PER_SECOND, 0, true, 10);
        }
        assertThat(b.lookup("k", ONE_PER_SECOND, 0, true, 1000).outcome()).isEqualTo(Outcome.OK);
    }

    @Test
    void keysHaveBucketsOfTheirOwn() {
        Buckets b = new Buckets(16);
        b.lookup("a", ONE_PER_SECOND, 0, true, 0);
        assertThat(b.lookup("b", ONE_PER_SECOND, 0, true, 0).outcome()).isEqualTo(Outcome.OK);
        assertThat(b.size()).isEqualTo(2);
    }

    @Test
    void anEarlierLimitHoldsTheBucketUntilAccountedOrLetGo() {
        Buckets b = new Buckets(16);
        Lookup held = b.lookup("k", ONE_PER_SECOND, 5000, false, 0);
        assertThat(held.outcome()).isEqualTo(Outcome.AGAIN);
        assertThat(b.account(held.bucket(), ONE_PER_SECOND, 0)).as("a new bucket's first request").isEqualTo(1000);
        Lookup again = b.lookup("k", ONE_PER_SECOND, 5000, false, 0);
        assertThat(again.excess()).isEqualTo(2000);
        b.unlock(again.bucket());
        assertThat(b.lookup("k", ONE_PER_SECOND, 5000, true, 0).excess()).as("the let-go request did not count").isEqualTo(2000);
    }

    @Test
    void aFullZoneDropsItsLeastRecentlyUsedStateUnlessARequestHoldsIt() {
        Buckets b = new Buckets(2);
        b.lookup("a", ONE_PER_SECOND, 0, true, 0);
        b.lookup("b", ONE_PER_SECOND, 0, true, 0);
        assertThat(b.lookup("c", ONE_PER_SECOND, 0, true, 0).outcome()).isEqualTo(Outcome.OK);
        assertThat(b.size()).isEqualTo(2);
        assertThat(b.lookup("a", ONE_PER_SECOND, 0, true, 0).outcome()).as("a was dropped: a fresh bucket").isEqualTo(Outcome.OK);

        Buckets held = new Buckets(1);
        held.lookup("a", ONE_PER_SECOND, 5000, false, 0);
        assertThat(held.lookup("b", ONE_PER_SECOND, 0, true, 0).outcome()).isEqualTo(Outcome.ERROR);
    }

    @Test
    void drainedStatesAMinuteOldMakeRoomFirst() {
        Buckets b = new Buckets(3);
        b.lookup("old", ONE_PER_SECOND, 0, true, 0);
        b.lookup("busy", ONE_PER_SECOND, 100_000, true, 0);
        for (int i = 0; i < 99; i++) {
            b.lookup("busy", 1, 100_000, true, 0);
        }
        b.lookup("new", ONE_PER_SECOND, 0, true, 61_000);
        assertThat(b.size()).as("the drained, minute-old state went").isEqualTo(2);
    }

    @Test
    void aClockThatWentFarBackCountsAsOneMillisecond() {
        Buckets b = new Buckets(16);
        b.lookup("k", ONE_PER_SECOND, 0, true, 100_000);
        assertThat(b.lookup("k", ONE_PER_SECOND, 0, true, 100_000 - 61_000).excess()).isEqualTo(999);
        Buckets near = new Buckets(16);
        near.lookup("k", ONE_PER_SECOND, 0, true, 100_000);
        assertThat(near.lookup("k", ONE_PER_SECOND, 1000, true, 99_000).excess()).as("a small step back drains nothing").isEqualTo(1000);
    }
}
