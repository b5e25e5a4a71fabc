package io.ferry.files;

import static io.ferry.files.FileSettings.IfModifiedSince.BEFORE;
import static io.ferry.files.FileSettings.IfModifiedSince.EXACT;
import static io.ferry.files.FileSettings.IfModifiedSince.OFF;

import io.ferry.http.syntax.HttpDate;
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
        assertThat(Preconditions.evaluate(h("If-None-Match", ETAG), ETAG, MTIME, EXACT)).isEqualTo(Preconditions.Outcome.NOT_MODIFIED);
        assertThat(Preconditions.evaluate(h("If-None-Match", "\"x\", W/" + ETAG), ETAG, MTIME, EXACT))
                .isEqualTo(Preconditions.Outcome.NOT_MODIFIED);
        assertThat(Preconditions.evaluate(h("If-None-Match", "*"), ETAG, MTIME, EXACT)).isEqualTo(Preconditions.Outcome.NOT_MODIFIED);
        assertThat(Preconditions.evaluate(h("If-None-Match", "\"other\""), ETAG, MTIME, EXACT)).isEqualTo(Preconditions.Outcome.PROCEED);
        assertThat(Preconditions.evaluate(h("If-Modified-Since", DATE), ETAG, MTIME, EXACT)).isEqualTo(Preconditions.Outcome.NOT_MODIFIED);
        assertThat(Preconditions.evaluate(h("If-Modified-Since", HttpDate.format(MTIME - 1)), ETAG, MTIME, EXACT))
                .isEqualTo(Preconditions.Outcome.PROCEED);
        assertThat(Preconditions.evaluate(h("If-Modified-Since", "garbage"), ETAG, MTIME, EXACT)).isEqualTo(Preconditions.Outcome.PROCEED);
    }

    @Test
    void ifNoneMatchWinsOverIfModifiedSince() {
        assertThat(Preconditions.evaluate(h("If-None-Match", "\"other\"", "If-Modified-Since", DATE), ETAG, MTIME, EXACT))
                .isEqualTo(Preconditions.Outcome.PROCEED);
    }

    @Test
    void ifMatchAndIfUnmodifiedSinceGive412() {
        assertThat(Preconditions.evaluate(h("If-Match", "\"other\""), ETAG, MTIME, EXACT))
                .isEqualTo(Preconditions.Outcome.PRECONDITION_FAILED);
        assertThat(Preconditions.evaluate(h("If-Match", "W/" + ETAG), ETAG, MTIME, EXACT))
                .as("If-Match compares strongly").isEqualTo(Preconditions.Outcome.PRECONDITION_FAILED);
        assertThat(Preconditions.evaluate(h("If-Match", ETAG), ETAG, MTIME, EXACT)).isEqualTo(Preconditions.Outcome.PROCEED);
        assertThat(Preconditions.evaluate(h("If-Unmodified-Since", HttpDate.format(MTIME - 10)), ETAG, MTIME, EXACT))
                .isEqualTo(Preconditions.Outcome.PRECONDITION_FAILED);
    }

    @Test
    void ifModifiedSinceModes() {
        String later = HttpDate.format(MTIME + 60);
        assertThat(Preconditions.evaluate(h("If-Modified-Since", later), ETAG, MTIME, EXACT))
                .as("exact: only the very date").isEqualTo(Preconditions.Outcome.PROCEED);
        assertThat(Preconditions.evaluate(h("If-Modified-Since", later), ETAG, MTIME, BEFORE))
                .as("before: any later date").isEqualTo(Preconditions.Outcome.NOT_MODIFIED);
        assertThat(Preconditions.evaluate(h("If-Modified-Since", DATE), ETAG, MTIME, OFF)).isEqualTo(Preconditions.Outcome.PROCEED);
        assertThat(Preconditions.evaluate(h("If-Modified-Since", DATE, "If-None-Match", ETAG), ETAG, MTIME, OFF))
                .as("off: always modified").isEqualTo(Preconditions.Outcome.PROCEED);
        assertThat(Preconditions.evaluate(h("If-None-Match", ETAG), ETAG, MTIME, OFF)).isEqualTo(Preconditions.Outcome.NOT_MODIFIED);
    }

    @Test
    void withoutAnEtagOnlyStarMatches() {
        assertThat(Preconditions.evaluate(h("If-None-Match", ETAG), null, MTIME, EXACT)).isEqualTo(Preconditions.Outcome.PROCEED);
        assertThat(Preconditions.evaluate(h("If-None-Match", "*"), null, MTIME, EXACT)).isEqualTo(Preconditions.Outcome.NOT_MODIFIED);
        assertThat(Preconditions.evaluate(h("If-Match", ETAG), null, MTIME, EXACT)).isEqualTo(Preconditions.Outcome.PRECONDITION_FAILED);
        assertThat(Preconditions.evaluate(h("If-Match", "*"), null, MTIME, EXACT)).isEqualTo(Preconditions.Outcome.PROCEED);
    }
}
