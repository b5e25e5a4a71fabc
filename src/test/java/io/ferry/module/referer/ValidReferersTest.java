package io.ferry.module.referer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** nginx's verdict on Referer values, entry kind by entry kind, without a server. */
class ValidReferersTest {
    private static ValidReferers hosts(String... entries) {
        ValidReferers.Builder b = new ValidReferers.Builder();
        for (String e : entries) {
            b.host(e);
        }
        return b.build();
    }

    @Test
    void noneAndBlockedDecideMissingAndSchemelessValues() {
        ValidReferers.Builder b = new ValidReferers.Builder();
        b.host("www.example.org");
        assertThat(b.build().valid(null)).isFalse();
        b.none();
        assertThat(b.build().valid(null)).isTrue();
        assertThat(b.build().valid("")).isFalse();
        b.blocked();
        ValidReferers v = b.build();
        assertThat(v.valid("")).isTrue();
        assertThat(v.valid("www.example.com")).isTrue();
        // shorter than "http://i.ru": no scheme is looked for
        assertThat(v.valid("http://su")).isTrue();
        assertThat(v.valid("ftp://www.example.com")).isTrue();
        assertThat(v.valid("http://www.example.com")).isFalse();
    }

    @Test
    void exactHostsIgnoreCaseSchemeCasePortAndPath() {
        ValidReferers v = hosts("www.Example.org");
        assertThat(v.valid("http://www.example.org")).isTrue();
        assertThat(v.valid("HTTPS://WWW.EXAMPLE.ORG/any/path")).isTrue();
        assertThat(v.valid("http://www.example.org:8080/uri")).isTrue();
        assertThat(v.valid("http://example.org")).isFalse();
        assertThat(v.valid("http://www.example.org.evil")).isFalse();
        assertThat(v.valid("www.example.org")).isFalse();
    }

    @Test
    void aUriPartIsACaseSensitivePrefixOfThePath() {
        ValidReferers v = hosts("www.example.org/uri", "*.example.net/pre");
        assertThat(v.valid("http://www.example.org/uri")).isTrue();
        assertThat(v.valid("http://www.example.org/urii?x")).isTrue();
        assertThat(v.valid("http://www.example.org:81/uri")).isTrue();
        assertThat(v.valid("http://www.example.org/uRi")).isFalse();
        assertThat(v.valid("http://www.example.org/ur")).isFalse();
        assertThat(v.valid("http://www.example.org")).isFalse();
        assertThat(v.valid("http://a.example.net/prefix")).isTrue();
        assertThat(v.valid("http://a.example.net/other")).isFalse();
    }

    @Test
    void wildcardsMatchAsServerNamesDo() {
        ValidReferers v = hosts("*.example.com", ".example.org", "www.example.*");
        assertThat(v.valid("http://a.example.com")).isTrue();
        assertThat(v.valid("http://a.b.example.com")).isTrue();
        assertThat(v.valid("http://example.com")).isFalse();
        assertThat(v.valid("http://example.org")).isTrue();
        assertThat(v.valid("http://x.example.org")).isTrue();
        assertThat(v.valid("http://www.example.net")).isTrue();
        assertThat(v.valid("http://www.example.co.uk")).isTrue();
        assertThat(v.valid("http://www.example")).isFalse();
        assertThat(v.valid("http://ww.example.net")).isFalse();
    }

    @Test
    void theMostSpecificWildcardGivesTheUriPart() {
        ValidReferers v = hosts("*.example.com/any", "*.b.example.com", "www.*/w", "www.example.*");
        assertThat(v.valid("http://a.b.example.com/x")).isTrue();
        assertThat(v.valid("http://a.c.example.com/x")).isFalse();
        assertThat(v.valid("http://www.example.org/x")).isTrue();
        assertThat(v.valid("http://www.other.org/x")).isFalse();
        assertThat(v.valid("http://www.other.org/w")).isTrue();
    }

    @Test
    void aHostLongerThan256IsInvalidWhateverTheRegexes() {
        ValidReferers.Builder b = new ValidReferers.Builder();
        b.regex(Pattern.compile(".*"));
        ValidReferers v = b.build();
        assertThat(v.valid("http://" + "a".repeat(256))).isTrue();
        assertThat(v.valid("http://" + "a".repeat(257))).isFalse();
        assertThat(v.valid("http://" + "a".repeat(20) + "/" + "b".repeat(500))).isTrue();
    }

    @Test
    void regexesSeeWhatFollowsTheSchemeAndServerNameRegexesTheHost() {
        ValidReferers.Builder b = new ValidReferers.Builder();
        b.regex(Pattern.compile("example\\.org/uri", Pattern.CASE_INSENSITIVE));
        b.serverNameRegex(Pattern.compile("^anchored$"));
        ValidReferers v = b.build();
        assertThat(v.valid("http://www.example.org/URI")).isTrue();
        assertThat(v.valid("http://www.example.org")).isFalse();
        assertThat(v.valid("https://ANCHORED/path")).isTrue();
        assertThat(v.valid("https://anchored.x")).isFalse();
    }

    @Test
    void aHostFoundWithAnotherUriIsNotRetriedOnTheRegexes() {
        ValidReferers.Builder b = new ValidReferers.Builder();
        b.host("www.example.org/uri");
        b.regex(Pattern.compile("example"));
        assertThat(b.build().valid("http://www.example.org/other")).isFalse();
        assertThat(b.build().valid("http://www.example.com/other")).isTrue();
    }

    @Test
    void badWildcardsAndRepeatedHostsAreRefusedWithNginxsWords() {
        for (String bad : new String[] {"*", "*example.com", "www.*.com", "a..b", "*.example.*"}) {
            assertThatThrownBy(() -> hosts(bad)).hasMessage("invalid hostname or wildcard \"" + bad + "\"");
        }
        assertThatThrownBy(() -> hosts("example.com", "Example.COM/uri")).hasMessage("conflicting parameter \"Example.COM\"");
        assertThatThrownBy(() -> hosts("*.example.com", ".example.com")).hasMessage("conflicting parameter \".example.com\"");
        assertThatThrownBy(() -> hosts("example.com", ".example.com")).hasMessage("conflicting parameter \".example.com\"");
        assertThatThrownBy(() -> hosts("www.example.*", "www.example.*/uri")).hasMessage("conflicting parameter \"www.example.*\"");
    }
}
