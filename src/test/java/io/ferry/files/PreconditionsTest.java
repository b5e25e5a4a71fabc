package io.ferry.files;

import io.ferry.http.HttpDate;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** ETag format and the RFC 9110 evaluation order of conditional headers. */
class PreconditionsTest {
    private static final long MTIME = 1_700_000_000L;
    private static final String ETAG = Preconditions.etag(MTIME, 1234);
    private static final String DATE = HttpDate.format(MTIME);

    private static HttpHeaders h(String... kv) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < kv.length; i += 2) {
            headers.add(kv[i], kv[i + 1]);
        }
        return headers;
    }

    @Test
    void etagIsNginxsHexMtimeAndLength() {
        assertThat(ETAG).isEqualTo("\"6553f100-4d2\"");
    }

    @Test
    void noneMatchAndModifiedSinceGive304() {
        assertThat(Preconditions.evaluate(h("If-None-Match", ETAG), ETAG, MTIME)).isEqualTo(Preconditions.Outcome.NOT_MODIFIED);
        assertThat(Preconditions.evaluate(h("If-None-Match", "\"x\", W/" + ETAG), ETAG, MTIME))
                .isEqualTo(Preconditions.Outcome.NOT_MODIFIED);
        assertThat(Preconditions.evaluate(h("If-None-Match", "*"), ETAG, MTIME)).isEqualTo(Preconditions.Outcome.NOT_MODIFIED);
        assertThat(Preconditions.evaluate(h("If-None-Match", "\"other\""), ETAG, MTIME)).isEqualTo(Preconditions.Outcome.PROCEED);
        assertThat(Preconditions.evaluate(h("If-Modified-Since", DATE), ETAG, MTIME)).isEqualTo(Preconditions.Outcome.NOT_MODIFIED);
        assertThat(Preconditions.evaluate(h("If-Modified-Since", HttpDate.format(MTIME - 1)), ETAG, MTIME))
                .isEqualTo(Preconditions.Outcome.PROCEED);
        assertThat(Preconditions.evaluate(h("If-Modified-Since", "garbage"), ETAG, MTIME)).isEqualTo(Preconditions.Outcome.PROCEED);
    }

    @Test
    void ifNoneMatchWinsOverIfModifiedSince() {
        assertThat(Preconditions.evaluate(h("If-None-Match", "\"other\"", "If-Modified-Since", DATE), ETAG, MTIME))
                .isEqualTo(Preconditions.Outcome.PROCEED);
    }

    @Test
    void ifMatchAndIfUnmodifiedSinceGive412() {
        assertThat(Preconditions.evaluate(h("If-Match", "\"other\""), ETAG, MTIME))
                .isEqualTo(Preconditions.Outcome.PRECONDITION_FAILED);
        assertThat(Preconditions.evaluate(h("If-Match", "W/" + ETAG), ETAG, MTIME))
                .as("If-Match compares strongly").isEqualTo(Preconditions.Outcome.PRECONDITION_FAILED);
        assertThat(Preconditions.evaluate(h("If-Match", ETAG), ETAG, MTIME)).isEqualTo(Preconditions.Outcome.PROCEED);
        assertThat(Preconditions.evaluate(h("If-Unmodified-Since", HttpDate.format(MTIME - 10)), ETAG, MTIME))
                .isEqualTo(Preconditions.Outcome.PRECONDITION_FAILED);
    }

    @Test
    void ifRangeNeedsTheSameRepresentation() {
        assertThat(Preconditions.rangeApplies(h(), ETAG, MTIME)).isTrue();
        assertThat(Preconditions.rangeApplies(h("If-Range", ETAG), ETAG, MTIME)).isTrue();
        assertThat(Preconditions.rangeApplies(h("If-Range", "\"old\""), ETAG, MTIME)).isFalse();
        assertThat(Preconditions.rangeApplies(h("If-Range", "W/" + ETAG), ETAG, MTIME)).isFalse();
        assertThat(Preconditions.rangeApplies(h("If-Range", DATE), ETAG, MTIME)).isTrue();
        assertThat(Preconditions.rangeApplies(h("If-Range", HttpDate.format(MTIME - 1)), ETAG, MTIME)).isFalse();
    }
}
