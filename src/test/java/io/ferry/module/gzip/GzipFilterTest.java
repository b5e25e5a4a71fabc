package io.ferry.module.gzip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The request-side tests of ngx_http_gzip_ok: Accept-Encoding with q-values, and nginx's msie6 detection. */
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

    @ParameterizedTest
    @ValueSource(strings = {
        "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.0)",
        "Mozilla/4.0 (compatible; MSIE 5.5; Windows 98)",
        "Mozilla/4.0 (compatible; MSIE 5.01; Windows NT 5.0)",
        "Mozilla/2.0 (compatible; MSIE 4.01; Windows 95)",
        "MSIE 6.0"})
    void msie6(String agent) {
        assertThat(GzipFilter.msie6(agent)).as(agent).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // XP SP2's MSIE 6 decompresses correctly: its "SV1" token clears it
        "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)",
        "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)",
        "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)",
        "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
        // Opera posing as MSIE is not MSIE for nginx
        "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; en) Opera 8.50",
        // nginx needs two bytes after "MSIE x." before it believes the version
        "MSIE 6."})
    void notMsie6(String agent) {
        assertThat(GzipFilter.msie6(agent)).as(agent).isFalse();
    }
}
