package io.ferry.module.autoindex;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** autoindex on a real Ferry: listings in each format, index files first, links, hidden names, jsonp callbacks. */
@Timeout(60)
class AutoindexIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        Path html = ferry.html();
        Files.createDirectories(html.resolve("list/sub"));
        Files.writeString(html.resolve("list/a.txt"), "abc");
        Files.writeString(html.resolve("list/.hidden"), "x");
        Files.createSymbolicLink(html.resolve("list/dangling"), html.resolve("nowhere"));
        Files.createSymbolicLink(html.resolve("list/sub-link"), html.resolve("list/sub"));
        Files.createDirectories(html.resolve("indexed"));
        Files.writeString(html.resolve("indexed/index.html"), "the index");
        ferry.start("""
                events { }
                http {
                    autoindex on;
                    server {
                        listen 127.0.0.1:%d;
                        location /json/ { alias html/list/; autoindex_format json; }
                        location /jsonp/ { alias html/list/; autoindex_format jsonp; }
                        location /xml/ { alias html/list/; autoindex_format xml; }
                        location /off/ { alias html/list/; autoindex off; }
                    }
                }
                """.formatted(ferry.port()));
    }

    private static RawHttpClient.Response get(String target) throws Exception {
        return ferry.get(target);
    }

    @Test
    void htmlListsDirectoriesFirstAndLeavesHiddenNamesOut() throws Exception {
        RawHttpClient.Response r = get("/list/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("text/html");
        String page = r.text();
        assertThat(page).startsWith("<html>\r\n<head><title>Index of /list/</title></head>");
        assertThat(page.indexOf("href=\"sub/\"")).isLessThan(page.indexOf("href=\"a.txt\""));
        assertThat(page).contains("href=\"sub-link/\"").contains("href=\"dangling\"").doesNotContain(".hidden");
        assertThat(page).containsPattern("<a href=\"a.txt\">a.txt</a> {46}\\d\\d-\\w{3}-\\d{4} \\d\\d:\\d\\d {19}3\r\n");
    }

    @Test
    void anIndexFileWinsAndOffRefuses() throws Exception {
        assertThat(get("/indexed/").text()).isEqualTo("the index");
        assertThat(get("/off/").status()).isEqualTo(403);
    }

    @Test
    void jsonXmlAndJsonp() throws Exception {
        RawHttpClient.Response json = get("/json/");
        assertThat(json.header("Content-Type")).isEqualTo("application/json");
        assertThat(json.text()).startsWith("[\r\n{ \"name\":\"sub\", \"type\":\"directory\"")
                .contains("{ \"name\":\"dangling\", \"type\":\"other\"").contains("\"name\":\"a.txt\", \"type\":\"file\"");
        RawHttpClient.Response xml = get("/xml/");
        assertThat(xml.header("Content-Type")).isEqualTo("text/xml; charset=utf-8");
        assertThat(xml.text()).startsWith("<?xml version=\"1.0\"?>\r\n<list>\r\n<directory mtime=");
        RawHttpClient.Response jsonp = get("/jsonp/?callback=cb.x");
        assertThat(jsonp.header("Content-Type")).isEqualTo("application/javascript");
        assertThat(jsonp.text()).startsWith("/* callback */\r\ncb.x([").endsWith("]);");
        assertThat(get("/jsonp/").header("Content-Type")).as("no callback: json").isEqualTo("application/json");
        assertThat(get("/jsonp/?callback=alert(1)").status()).isEqualTo(400);
    }
}
