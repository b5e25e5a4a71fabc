package io.ferry.module.sub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The streaming matcher: the same output however the input is cut, nginx's choices among overlapping strings. */
class SubMatcherTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static SubMatcher matcher(boolean once, String... pairs) {
        byte[][] p = new byte[pairs.length / 2][];
        byte[][] r = new byte[pairs.length / 2][];
        for (int i = 0; i < p.length; i++) {
            p[i] = b(pairs[2 * i].toLowerCase());
            r[i] = b(pairs[2 * i + 1]);
        }
        return new SubMatcher(p, r, once);
    }

    /** Feeds {@code text} in pieces cut at the given points, with the output limited to {@code limit} per feed. */
    private static String run(SubMatcher m, String text, int limit, int... cuts) {
        byte[] in = b(text);
        ByteBuf out = Unpooled.buffer();
        int from = 0;
        for (int k = 0; k <= cuts.length; k++) {
            int to = k < cuts.length ? cuts[k] : in.length;
            ByteBuf piece = Unpooled.wrappedBuffer(in, from, to - from);
            while (!m.feed(piece, out, limit)) {
                assertThat(piece.isReadable()).isTrue();
            }
            from = to;
        }
        m.finish(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void everySplit(String expected, String text, boolean once, String... pairs) {
        assertThat(run(matcher(once, pairs), text, Integer.MAX_VALUE)).isEqualTo(expected);
        int n = b(text).length;
        for (int i = 0; i <= n; i++) {
            assertThat(run(matcher(once, pairs), text, Integer.MAX_VALUE, i)).as("cut at %d", i).isEqualTo(expected);
            for (int j = i; j <= n; j++) {
                assertThat(run(matcher(once, pairs), text, 1, i, j)).as("cuts at %d, %d", i, j).isEqualTo(expected);
            }
        }
    }

    @Test
    void singleStringEverySplitPoint() {
        everySplit("barbar", "foofoo", false, "foo", "bar");
        everySplit("barfoo", "foofoo", true, "foo", "bar");
        everySplit("aba_replaced", "abaabac", false, "abac", "_replaced");
        everySplit("aa_replaced", "aaaab", false, "aab", "_replaced");
        everySplit("barfo", "foofo", false, "foo", "bar");
        everySplit("fo", "fo", false, "foo", "bar");
    }

    @Test
    void caseOfAsciiLettersIsIgnored() {
        everySplit("bar-Bar", "FOO-Bar", false, "foo", "bar");
    }

    @Test
    void leftmostWinsAndTiesGoByTheOrderWritten() {
        everySplit("+-+", "aabbaaabbaabb", false, "aabb", "+", "aaabb", "-");
        everySplit("+ABCDE-*nyABCDE", "abpatternyzABCDEabpatternyABCDE", false,
                "abpatternyz", "+", "abpa", "-", "tter", "*");
        everySplit("xd", "abcd", false, "abc", "x", "abcd", "y");
        // a longer string that fails at the end gives way to a shorter one inside it
        everySplit("aZc", "abc", false, "abcd", "X", "b", "Z");
    }

    @Test
    void onceReplacesEachStringOnce() {
        everySplit("-yyz+aabyyz", "yyzyyzaabaabyyz", true, "aab", "+", "yyz", "-");
    }

    @Test
    void multibyteStringsMatchByteForByte() {
        everySplit("ТЕКСТзамена1", "ТЕКСТ模様", false, "模様", "замена1");
    }

    @Test
    void longOutputComesOutInPieces() {
        SubMatcher m = matcher(false, "a", "0123456789");
        ByteBuf in = Unpooled.wrappedBuffer(b("aaaa"));
        ByteBuf out = Unpooled.buffer();
        assertThat(m.feed(in, out, 15)).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("01234567890123456789");
        assertThat(in.readableBytes()).isEqualTo(2);
        assertThat(m.feed(in, out, Integer.MAX_VALUE)).isTrue();
        assertThat(out.readableBytes()).isEqualTo(40);
    }
}
