package io.ferry.files;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Range: bytes=... for one range; several, other units and invalid syntax are ignored (RFC 9110 14.2). */
class ByteRangeTest {
    @Test
    void firstLastAndOpenEnded() {
        assertThat(ByteRange.parse("bytes=0-9", 100)).isEqualTo(new ByteRange(0, 9));
        assertThat(ByteRange.parse("bytes=90-", 100)).isEqualTo(new ByteRange(90, 99));
        assertThat(ByteRange.parse("bytes=90-1000", 100)).isEqualTo(new ByteRange(90, 99));
        assertThat(ByteRange.parse("BYTES= 5-5 ", 100)).isEqualTo(new ByteRange(5, 5));
        assertThat(new ByteRange(0, 9).contentRange(100)).isEqualTo("bytes 0-9/100");
        assertThat(new ByteRange(0, 9).length()).isEqualTo(10);
    }

    @Test
    void suffixRanges() {
        assertThat(ByteRange.parse("bytes=-10", 100)).isEqualTo(new ByteRange(90, 99));
        assertThat(ByteRange.parse("bytes=-500", 100)).isEqualTo(new ByteRange(0, 99));
        assertThat(ByteRange.parse("bytes=-0", 100)).isSameAs(ByteRange.UNSATISFIABLE);
    }

    @Test
    void beyondTheEndIsUnsatisfiable() {
        assertThat(ByteRange.parse("bytes=100-", 100)).isSameAs(ByteRange.UNSATISFIABLE);
        assertThat(ByteRange.parse("bytes=100-200", 100)).isSameAs(ByteRange.UNSATISFIABLE);
        assertThat(ByteRange.parse("bytes=0-", 0)).isSameAs(ByteRange.UNSATISFIABLE);
        assertThat(ByteRange.parse("bytes=99999999999999999999999-", 100)).isSameAs(ByteRange.UNSATISFIABLE);
    }

    @Test
    void ignoredForms() {
        assertThat(ByteRange.parse("items=0-9", 100)).isNull();
        assertThat(ByteRange.parse("bytes=0-1,5-6", 100)).isNull();
        assertThat(ByteRange.parse("bytes=9-0", 100)).isNull();
        assertThat(ByteRange.parse("bytes=a-b", 100)).isNull();
        assertThat(ByteRange.parse("bytes=-", 100)).isNull();
        assertThat(ByteRange.parse("bytes=5", 100)).isNull();
    }
}
