package io.ferry.upstream.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.upstream.Peer;
import io.ferry.upstream.UpstreamServer;
import io.ferry.variable.Template;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** hash KEY [consistent]: a key always picks the same peer; an empty key is balanced round robin. */
class HashTest {
    private static List<Peer> peers() {
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add(new Peer(new UpstreamServer(String.valueOf((char) ('a' + i)), new InetSocketAddress("127.0.0.1", 1000 + i),
                    1, 1, Duration.ofSeconds(10), 0, false, false)));
        }
        return peers;
    }

    private static String sequence(Hash h, int picks) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < picks; i++) {
            sb.append(h.pick(null, Set.of(), System.nanoTime()).server().name());
        }
        return sb.toString();
    }

    @Test
    void aKeyAlwaysPicksTheSamePeer() {
        for (boolean consistent : new boolean[] {false, true}) {
            String s = sequence(new Hash(peers(), Template.literal("key"), consistent), 6);
            assertThat(s.chars().distinct().count()).as("consistent=%s", consistent).isEqualTo(1);
        }
    }

    @Test
    void aKeyPicksThePeerNginxPicks() {
        // nginx: (crc32("127.0.0.1") >> 16) & 0x7fff = 22455, odd: the second of two equal peers
        List<Peer> two = peers().subList(0, 2);
        assertThat(sequence(new Hash(two, Template.literal("127.0.0.1"), false), 3)).isEqualTo("bbb");
    }

    @Test
    void anEmptyKeyIsRoundRobin() {
        assertThat(sequence(new Hash(peers(), Template.literal(""), false), 6)).isEqualTo("abcabc");
        assertThat(sequence(new Hash(peers(), Template.literal(""), true), 6)).isEqualTo("abcabc");
    }
}
