package io.ferry.variable;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How several lines of one header field are read by variables, as nginx's parse and variable code reads them. */
class HeaderJoiningTest {
    @Test
    void aCookieValueRunsToTheNextSemicolonWhateverCommasItHolds() {
        String joined = "foo=1, qux=0; bar=2; bazz=3";
        assertThat(Variables.cookie(joined, "foo")).isEqualTo("1, qux=0");
        assertThat(Variables.cookie(joined, "bar")).isEqualTo("2");
        assertThat(Variables.cookie(joined, "bazz")).isEqualTo("3");
        assertThat(Variables.cookie(joined, "qux")).as("after a comma is not a new pair").isNull();
    }

    @Test
    void aCookieNameMatchesAWholeNameOnlyAndWithoutCase() {
        assertThat(Variables.cookie("sid=1; id=2", "id")).isEqualTo("2");
        assertThat(Variables.cookie("SID=1", "sid")).isEqualTo("1");
        assertThat(Variables.cookie("sid = 1 ;x=2", "sid")).isEqualTo("1 ");
        assertThat(Variables.cookie("sid", "sid")).as("no value").isNull();
        assertThat(Variables.cookie(null, "sid")).isNull();
    }

    @Test
    void setCookieGivesTheFirstLineWithThatCookieUpToItsAttributes() {
        List<String> lines = List.of("foo=1; Path=/", "bar=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "foo=3");
        assertThat(Variables.setCookie(lines, "foo")).isEqualTo("1");
        assertThat(Variables.setCookie(lines, "bar")).isEqualTo("2");
        assertThat(Variables.setCookie(lines, "path")).as("attributes are not cookies").isNull();
        assertThat(Variables.setCookie(lines, "ba")).isNull();
    }

    @Test
    void upstreamFieldsOfOneNameJoinWithACommaAndCookiesComeFromSetCookieLines() {
        HeaderSnapshot h = HeaderSnapshot.of(List.of(Map.entry("Set-Cookie", "foo=1"), Map.entry("Bar", "a"),
                Map.entry("set-cookie", "bar=2; HttpOnly"), Map.entry("bar", "b")));
        assertThat(h.get("set-cookie")).isEqualTo("foo=1, bar=2; HttpOnly");
        assertThat(h.get("bar")).isEqualTo("a, b");
        assertThat(h.setCookie("bar")).isEqualTo("2");
        assertThat(h.get("none")).isNull();
    }

    @Test
    void theFamiliesAreKnownByTheirPrefix() {
        Variables variables = new Variables();
        FakeRequestScope scope = new FakeRequestScope();
        assertThat(Template.compile("[$sent_trailer_:$upstream_cookie_:$sent_trailer_x:$upstream_cookie_x]", variables)
                .render(scope)).isEqualTo("[:::]");
    }
}
