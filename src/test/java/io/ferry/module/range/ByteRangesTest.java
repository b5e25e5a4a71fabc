package io.ferry.module.range;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.module.range.ByteRanges.Range;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByteRangesTest {
    private static ByteRanges.Outcome parse(String spec, long length) {
        return ByteRanges.parse(spec, length, Integer.MAX_VALUE);
    }

    private static ByteRanges.Partial ranges(Range... r) {
        return new ByteRanges.Partial(List.of(r));
    }

    @Test
    void firstLastAndSuffixRangesEndAtTheBody() {
        assertThat(parse("0-8", 1000)).isEqualTo(ranges(new Range(0, 9)));
        assertThat(parse("-10", 1000)).isEqualTo(ranges(new Range(990, 1000)));
        assertThat(parse("990-", 1000)).isEqualTo(ranges(new Range(990, 1000)));
        assertThat(parse("990-1990", 1000)).isEqualTo(ranges(new Range(990, 1000)));
        assertThat(parse("-5000", 1000)).isEqualTo(ranges(new Range(0, 1000)));
        assertThat(parse(" 5 - 6 ", 1000)).isEqualTo(ranges(new Range(5, 7)));
    }

    @Test
    void severalRangesKeepTheirOrderAndDropThoseBeyondTheEnd() {
        assertThat(parse("0-9, -10, 100000-, 10-19", 1000))
                .isEqualTo(ranges(new Range(0, 10), new Range(990, 1000), new Range(10, 20)));
    }

    @Test
    void badSyntaxOrNothingLeftIsUnsatisfiable() {
        for (String spec : new String[] {"alpha", "10-alpha", "10", "10-11 12-", "100000-", "-0", "-", "",
                "99999999999999999999-"}) {
            assertThat(parse(spec, 1000)).as(spec).isSameAs(ByteRanges.NOT_SATISFIABLE);
        }
    }

    @Test
    void theWholeBodyWhenTheRangesAskTooMuch() {
        assertThat(parse("0-10001, 0-0", 1000)).as("more than the body in all").isSameAs(ByteRanges.WHOLE);
        assertThat(parse("0-0", 0)).as("byte 0 of an empty body").isSameAs(ByteRanges.WHOLE);
        assertThat(ByteRanges.parse("0-9, -10, 10-19", 1000, 2)).as("over max_ranges").isSameAs(ByteRanges.WHOLE);
        assertThat(ByteRanges.parse("0-9, -10, 10000-", 1000, 2)).isInstanceOf(ByteRanges.Partial.class);
    }
}
