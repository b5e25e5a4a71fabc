package io.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request-target parsing as nginx does it (ngx_http_parse_complex_uri): percent-decoding, merged
 * slashes, "." and ".." resolved, a ".." above the root is a 400 (null here), the query kept raw.
 */
class RequestTargetTest {

    private static String path(String raw) {
        RequestTarget t = RequestTarget.parse(raw);
        assertThat(t).as("parse(%s)", raw).isNotNull();
        return t.path();
    }

    @Test
    void simplePath() {
        RequestTarget t = RequestTarget.parse("/index.html");
        assertThat(t.raw()).isEqualTo("/index.html");
        assertThat(t.path()).isEqualTo("/index.html");
        assertThat(t.query()).isNull();
        assertThat(t.absoluteHost()).isNull();
        assertThat(path("/")).isEqualTo("/");
    }

    @Test
    void percentDecoding() {
        assertThat(path("/a%20b")).isEqualTo("/a b");
        assertThat(path("/%41%42c")).isEqualTo("/ABc");
        assertThat(path("/%c3%a9t%C3%A9")).as("UTF-8 sequences, either hex case").isEqualTo("/été");
        assertThat(path("/a%3Fb")).as("an encoded ? stays in the path").isEqualTo("/a?b");
        assertThat(path("/100%25")).isEqualTo("/100%");
        assertThat(path("/%2541")).as("decoded once only").isEqualTo("/%41");
    }

    @Test
    void encodedSlashIsASlash() {
        assertThat(path("/a%2Fb")).isEqualTo("/a/b");
        assertThat(path("/a%2F%2Fb")).isEqualTo("/a/b");
    }

    @Test
    void slashesAreMerged() {
        assertThat(path("//")).isEqualTo("/");
        assertThat(path("/a//b")).isEqualTo("/a/b");
        assertThat(path("///a///b///")).isEqualTo("/a/b/");
    }

    @Test
    void dotSegmentsAreRemoved() {
        assertThat(path("/./a")).isEqualTo("/a");
        assertThat(path("/a/./b")).isEqualTo("/a/b");
        assertThat(path("/a/.")).isEqualTo("/a/");
        assertThat(path("/.")).isEqualTo("/");
    }

    @Test
    void dotDotRemovesThePreviousSegment() {
        assertThat(path("/a/../b")).isEqualTo("/b");
        assertThat(path("/a/b/../../c")).isEqualTo("/c");
        assertThat(path("/a/b/..")).isEqualTo("/a/");
        assertThat(path("/a/..")).isEqualTo("/");
        assertThat(path("/a/b/../c/./d")).isEqualTo("/a/c/d");
    }

    @Test
    void dotsInsideNamesAreOrdinary() {
        assertThat(path("/a/..b/c")).isEqualTo("/a/..b/c");
        assertThat(path("/a/b../c")).isEqualTo("/a/b../c");
        assertThat(path("/.well-known/x")).isEqualTo("/.well-known/x");
        assertThat(path("/a/...")).isEqualTo("/a/...");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/../", "/../etc/passwd", "/a/../..", "/a/b/../../../c", "//..//x"})
    void dotDotAboveTheRootIsInvalid(String raw) {
        assertThat(RequestTarget.parse(raw)).isNull();
    }

    @Test
    void encodedDotsAreTreatedLikeDots() {
        assertThat(path("/a/%2e%2e/b")).isEqualTo("/b");
        assertThat(path("/a/%2E%2E/b")).isEqualTo("/b");
        assertThat(path("/a/.%2e/b")).isEqualTo("/b");
        assertThat(path("/a/%2e/b")).isEqualTo("/a/b");
        assertThat(RequestTarget.parse("/%2e%2e/etc/passwd")).isNull();
        assertThat(RequestTarget.parse("/a/%2e%2e%2f%2e%2e%2fetc")).as("encoded slashes too").isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%00b", "/%00", "/a%", "/a%2", "/a%zz", "/a%g0", "/a\u0000b"})
    void nulBytesAndBrokenEscapesAreRejected(String raw) {
        assertThat(RequestTarget.parse(raw)).isNull();
    }

    @Test
    void queryIsKeptRawAndNotNormalized() {
        RequestTarget t = RequestTarget.parse("/search/../find?q=a%20b&x=/../y&z=%00");
        assertThat(t.path()).isEqualTo("/find");
        assertThat(t.query()).isEqualTo("q=a%20b&x=/../y&z=%00");
        assertThat(t.raw()).isEqualTo("/search/../find?q=a%20b&x=/../y&z=%00");
    }

    @Test
    void emptyAndRepeatedQuestionMarks() {
        RequestTarget empty = RequestTarget.parse("/p?");
        assertThat(empty.path()).isEqualTo("/p");
        assertThat(empty.query()).as("present but empty").isEmpty();

        RequestTarget twice = RequestTarget.parse("/p?a=1?b=2");
        assertThat(twice.path()).isEqualTo("/p");
        assertThat(twice.query()).isEqualTo("a=1?b=2");
    }

    @Test
    void absoluteFormSplitsHostPathAndQuery() {
        RequestTarget t = RequestTarget.parse("http://host:1/p?q");
        assertThat(t.absoluteHost()).isEqualTo("host:1");
        assertThat(t.path()).isEqualTo("/p");
        assertThat(t.query()).isEqualTo("q");
        assertThat(t.raw()).isEqualTo("http://host:1/p?q");
    }

    @Test
    void absoluteFormVariants() {
        RequestTarget noPath = RequestTarget.parse("http://example.org");
        assertThat(noPath.absoluteHost()).isEqualTo("example.org");
        assertThat(noPath.path()).isEqualTo("/");
        assertThat(noPath.query()).isNull();

        RequestTarget queryOnly = RequestTarget.parse("http://example.org?x=1");
        assertThat(queryOnly.absoluteHost()).isEqualTo("example.org");
        assertThat(queryOnly.path()).isEqualTo("/");
        assertThat(queryOnly.query()).isEqualTo("x=1");

        RequestTarget https = RequestTarget.parse("HTTPS://Example.org:8443/a//b/../c");
        assertThat(https.absoluteHost()).isEqualTo("Example.org:8443");
        assertThat(https.path()).isEqualTo("/a/c");

        RequestTarget v6 = RequestTarget.parse("http://[::1]:8080/x");
        assertThat(v6.absoluteHost()).isEqualTo("[::1]:8080");
        assertThat(v6.path()).isEqualTo("/x");

        assertThat(RequestTarget.parse("http://example.org/..")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http:///p", "http://user@host/p", "ftp://host/p", "http:/host/p", "http://\\e/x",
            "http://a:9000:80/", "http://[::1]./", "http://[::1", "http://x[::1]/", "http://a..b/", "http://./"})
    void invalidAbsoluteForms(String raw) {
        assertThat(RequestTarget.parse(raw)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "index.html", "a/b", "", "?q=1", "example.org:80"})
    void asteriskAndRelativeTargetsAreRejected(String raw) {
        assertThat(RequestTarget.parse(raw)).isNull();
    }

    @Test
    void pathOfAPathLikeSchemeIsNotAbsoluteForm() {
        RequestTarget t = RequestTarget.parse("/http://x/y");
        assertThat(t.absoluteHost()).isNull();
        assertThat(t.path()).isEqualTo("/http:/x/y");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/foo/bar/.#frag|/foo/bar/|",
            "/foo/bar/..#frag|/foo/|",
            "/a?x=1#frag|/a|x=1",
            "http://localhost?args#frag|/|args",
            "http://localhost:8080#frag|/|"})
    void aFragmentIsCutFromPathAndQuery(String raw, String path, String query) {
        RequestTarget t = RequestTarget.parse(raw);
        assertThat(t.path()).isEqualTo(path);
        assertThat(t.query()).isEqualTo(query);
        assertThat(t.raw()).isEqualTo(raw);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/foo//../bar|/foo/bar",
            "/foo///../bar|/foo//bar",
            "/a//b//|/a//b//",
            "//|//",
            "/a/./b/.|/a/b/"})
    void withoutMergeSlashesAnEmptySegmentIsASegment(String raw, String path) {
        assertThat(RequestTarget.parse(raw, false).path()).isEqualTo(path);
    }
}
