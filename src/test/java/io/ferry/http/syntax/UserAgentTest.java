package io.ferry.http.syntax;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** nginx's User-Agent tests, shared by gzip_disable and keepalive_disable. */
class UserAgentTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.0)",
        "Mozilla/4.0 (compatible; MSIE 5.5; Windows 98)",
        "Mozilla/4.0 (compatible; MSIE 5.01; Windows NT 5.0)",
        "Mozilla/2.0 (compatible; MSIE 4.01; Windows 95)",
        "MSIE 6.0"})
    void msie6(String agent) {
        assertThat(UserAgent.msie6(agent)).as(agent).isTrue();
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
        assertThat(UserAgent.msie6(agent)).as(agent).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "Mac OS X Safari/7534.48.3"})
    void safari(String agent) {
        assertThat(UserAgent.safari(agent)).as(agent).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // Chrome on a Mac names Safari too; nginx takes it for Chrome
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:120.0) Gecko/20100101 Firefox/120.0",
        "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/534.57.2 (KHTML, like Gecko) Version/5.1.7 Safari/534.57.2",
        "Opera/9.80 (Macintosh; Intel Mac OS X 10.7.4; U; en) Presto/2.10.229 Version/11.62 Safari/1",
        "Mozilla/4.0 (compatible; MSIE 5.23; Mac OS X) Safari/1"})
    void notSafari(String agent) {
        assertThat(UserAgent.safari(agent)).as(agent).isFalse();
    }
}
