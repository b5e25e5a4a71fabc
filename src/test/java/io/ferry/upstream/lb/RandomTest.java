package io.ferry.upstream.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.upstream.Peer;
import io.ferry.upstream.UpstreamServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** random [two]: draws follow the weights, and never give a down or already tried peer. */
class RandomTest {
    private static Peer peer(String name, int weight, boolean down) {
        return new Peer(new UpstreamServer(name, new InetSocketAddress("127.0.0.1", 1000 + name.charAt(0)),
                weight, 1, Duration.ofSeconds(10), 0, false, down));
    }

    private static Map<String, Integer> draws(Random r, int n, Set<Peer> tried) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(r.pick(null, tried, System.nanoTime()).server().name(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void drawsFollowTheWeights() {
        List<Peer> peers = List.of(peer("a", 1, false), peer("b", 3, false));
        for (boolean two : new boolean[] {false, true}) {
            Map<String, Integer> counts = draws(new Random(peers, two), 40_000, Set.of());
            if (!two) {
                // one draw: a quarter for weight 1 of 4
                assertThat(counts.get("a")).isBetween(9_000, 11_000);
            } else {
                // two different peers are always drawn; with no connections open the second wins the tie
                assertThat(counts.get("a") + counts.get("b")).isEqualTo(40_000);
            }
        }
    }

    @Test
    void theRangesFindThePeerOwningADraw() {
        Random r = new Random(List.of(peer("a", 1, false), peer("b", 3, false), peer("c", 2, false)), false);
        assertThat(r.index(0)).isEqualTo(0);
        assertThat(r.index(1)).isEqualTo(1);
        assertThat(r.index(3)).isEqualTo(1);
        assertThat(r.index(4)).isEqualTo(2);
        assertThat(r.index(5)).isEqualTo(2);
    }

    @Test
    void downAndTriedPeersAreNeverGiven() {
        Peer a = peer("a", 1, false);
        Peer b = peer("b", 5, true);
        Peer c = peer("c", 1, false);
        for (boolean two : new boolean[] {false, true}) {
            Random r = new Random(List.of(a, b, c), two);
            assertThat(draws(r, 1_000, Set.of()).keySet()).containsOnly("a", "c");
            assertThat(draws(r, 200, Set.of(a)).keySet()).containsOnly("c");
            assertThat(r.pick(null, Set.of(a, c), System.nanoTime())).isNull();
        }
    }

    @Test
    void aGroupOfOneIsRoundRobin() {
        Peer a = peer("a", 1, false);
        assertThat(new Random(List.of(a), true).pick(null, Set.of(), System.nanoTime())).isSameAs(a);
    }
}
