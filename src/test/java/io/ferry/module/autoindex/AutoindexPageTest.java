package io.ferry.module.autoindex;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.module.autoindex.AutoindexPage.Entry;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoindexPageTest {
    /** 2020-03-04 05:06:07 UTC */
    private static final long T = 1583298367L;

    private static Entry file(String name, long size) {
        return new Entry(name.getBytes(StandardCharsets.UTF_8), false, true, T, size);
    }

    private static Entry dir(String name) {
        return new Entry(name.getBytes(StandardCharsets.UTF_8), true, false, T, 4096);
    }

    private static String html(List<Entry> entries, boolean utf8, boolean exact) {
        return new String(AutoindexPage.html("/d/".getBytes(StandardCharsets.UTF_8), entries, utf8, exact, ZoneOffset.UTC),
                StandardCharsets.UTF_8);
    }

    @Test
    void htmlIsNginxsPageWithAlignedColumns() {
        assertThat(html(List.of(dir("sub"), file("a b\"q.txt", 3)), false, true)).isEqualTo("""
                <html>\r
                <head><title>Index of /d/</title></head>\r
                <body>\r
                <h1>Index of /d/</h1><hr><pre><a href="../">../</a>\r
                <a href="sub/">sub/</a>%s 04-Mar-2020 05:06                   -\r
                <a href="a%%20b%%22q.txt">a b&quot;q.txt</a>%s 04-Mar-2020 05:06                   3\r
                </pre><hr></body>\r
                </html>\r
                """.formatted(" ".repeat(46), " ".repeat(41)));
    }

    @Test
    void longNamesAreCutTo47WithAMark() {
        assertThat(html(List.of(file("test-long-" + "0".repeat(50), 0)), false, true))
                .contains(">test-long-" + "0".repeat(37) + "..&gt;</a> 04-Mar");
        assertThat(html(List.of(file("test-long-" + ">".repeat(50), 0)), false, true))
                .contains(">test-long-" + "&gt;".repeat(37) + "..&gt;</a>");
        assertThat(html(List.of(file("x".repeat(50), 0)), false, true)).as("50 is not cut").contains("x".repeat(50) + "</a> 04");
    }

    @Test
    void utf8NamesCountCharactersOnlyWhenTheCharsetIsUtf8() {
        String name = "test-utf8-" + "ф".repeat(45);
        assertThat(html(List.of(file(name, 0)), true, true)).contains(">test-utf8-" + "ф".repeat(37) + "..&gt;</a>");
        assertThat(html(List.of(file("test-utf8-ффф", 0)), true, true)).contains(">test-utf8-ффф</a>" + " ".repeat(37) + " 04");
        assertThat(html(List.of(file("test-utf8-ффф", 0)), false, true)).as("bytes otherwise")
                .contains(">test-utf8-ффф</a>" + " ".repeat(34) + " 04");
    }

    @Test
    void sizesScaleAsNginxRoundsThem() {
        String page = html(List.of(file("a", 9999), file("b", 12345), file("c", 3_000_000), file("d", 1L << 31), dir("e")),
                false, false);
        assertThat(page).contains("05:06    9999\r\n").contains("05:06     12K\r\n").contains("05:06      3M\r\n")
                .contains("05:06      2G\r\n").contains("05:06       -\r\n");
    }

    @Test
    void directoriesComeFirstThenBytes() {
        List<Entry> entries = new ArrayList<>(List.of(file("b", 0), dir("z"), file("B", 0), file("ф", 0), dir("a")));
        entries.sort(AutoindexPage.ORDER);
        assertThat(entries.stream().map(e -> new String(e.name(), StandardCharsets.UTF_8))).containsExactly("a", "z", "B", "b", "ф");
    }

    @Test
    void jsonAndJsonpAndXml() {
        List<Entry> entries = List.of(dir("sub"), file("q\"\u0001", 3),
                new Entry("link".getBytes(StandardCharsets.UTF_8), false, false, T, 7));
        String json = "[\r\n{ \"name\":\"sub\", \"type\":\"directory\", \"mtime\":\"Wed, 04 Mar 2020 05:06:07 GMT\" },"
                + "\r\n{ \"name\":\"q\\\"\\u0001\", \"type\":\"file\", \"mtime\":\"Wed, 04 Mar 2020 05:06:07 GMT\", \"size\":3 },"
                + "\r\n{ \"name\":\"link\", \"type\":\"other\", \"mtime\":\"Wed, 04 Mar 2020 05:06:07 GMT\" }\r\n]";
        assertThat(new String(AutoindexPage.json(entries, null), StandardCharsets.UTF_8)).isEqualTo(json);
        assertThat(new String(AutoindexPage.json(entries, "cb"), StandardCharsets.UTF_8))
                .isEqualTo("/* callback */\r\ncb(" + json + ");");
        assertThat(new String(AutoindexPage.json(List.of(), null), StandardCharsets.UTF_8)).isEqualTo("[\r\n]");
        assertThat(new String(AutoindexPage.xml(entries.subList(0, 2)), StandardCharsets.UTF_8)).isEqualTo("""
                <?xml version="1.0"?>\r
                <list>\r
                <directory mtime="2020-03-04T05:06:07Z">sub</directory>\r
                <file mtime="2020-03-04T05:06:07Z" size="3">q&quot;\u0001</file>\r
                </list>\r
                """);
    }

    @Test
    void callbacksAreNamesOnly() {
        assertThat(Listing.validCallback("jQuery_1.cb")).isTrue();
        assertThat(Listing.validCallback("a-b")).isFalse();
        assertThat(Listing.validCallback("a".repeat(129))).isFalse();
    }
}
