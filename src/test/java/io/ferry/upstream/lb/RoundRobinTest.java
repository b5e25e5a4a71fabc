package io.ferry.upstream.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.upstream.UpstreamServer;
import io.ferry.upstream.Peer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** nginx's smooth weighted round robin (ngx_http_upstream_get_peer), pick by pick. */
class RoundRobinTest {
    private static List<Peer> peers(int... weights) {
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            peers.add(new Peer(new UpstreamServer(String.valueOf((char) ('a' + i)), new InetSocketAddress("127.0.0.1", 1000 + i),
                    weights[i], 1, Duration.ofSeconds(10), 0, false, false)));
        }
        return peers;
    }

    private static String sequence(RoundRobin rr, int picks) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < picks; i++) {
            sb.append(rr.pick(null, Set.of(), System.nanoTime()).server().name());
        }
        return sb.toString();
    }

    @Test
    void fiveOneOneIsNginxsInterleavedSequence() {
        // The example in nginx's ngx_http_upstream_round_robin.c: { a, a, b, a, c, a, a }.
        assertThat(sequence(new RoundRobin(peers(5, 1, 1)), 21)).isEqualTo("aabacaa".repeat(3));
    }

    @Test
    void otherWeightsSpreadTheHeavyPeerEvenly() {
        assertThat(sequence(new RoundRobin(peers(3, 1)), 8)).isEqualTo("aaba".repeat(2));
        assertThat(sequence(new RoundRobin(peers(4, 2, 1)), 14)).isEqualTo("abacaba".repeat(2));
        assertThat(sequence(new RoundRobin(peers(1, 1, 1)), 6)).isEqualTo("abcabc");
    }

    @Test
    void triedPeerIsSkippedWithoutDisturbingTheOthersTurns() {
        List<Peer> p = peers(5, 1, 1);
        RoundRobin rr = new RoundRobin(p);
        assertThat(rr.pick(null, Set.of(p.get(0)), System.nanoTime()).server().name()).isEqualTo("b");
        assertThat(rr.pick(null, Set.of(p.get(0), p.get(1)), System.nanoTime()).server().name()).isEqualTo("c");
    }
}
