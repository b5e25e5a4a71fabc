package io.ferry.module.gzip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The request-side tests of ngx_http_gzip_ok: Accept-Encoding with q-values (msie6 is UserAgentTest's). */
class GzipFilterTest {

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "GZIP", "Gzip", "gzip, deflate", "gzip,deflate,br", "deflate, gzip",
        "deflate,gzip", "br;q=1.0, gzip;q=0.8, *;q=0.1", "gzip;q=0.5", "gzip; q=0.5", "gzip;Q=1", "gzip;q=1.0"})
    void acceptsGzip(String header) {
        assertThat(GzipFilter.acceptsGzip(header)).as(header).isTrue();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "gzip;q=0", "gzip; q=0", "gzip;q=0.0", "gzip;q=0.000", "deflate, gzip;q=0",
        "x-gzip", "gzip2", "deflate", "br, deflate", "identity", "*", "gzip;q=", "gzip;q=zero"})
    void refusesGzip(String header) {
        assertThat(GzipFilter.acceptsGzip(header)).as(header).isFalse();
    }
}
