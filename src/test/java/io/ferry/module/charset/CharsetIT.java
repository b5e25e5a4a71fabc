package io.ferry.module.charset;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * charset on a real Ferry: the parameter added to the types charset_types names, recoding by a
 * charset_map and by Java's charsets, and override_charset on a proxied answer that names its own.
 */
@Timeout(60)
class CharsetIT {
    private static final String RUSSIAN = "Привет, мир";

    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        Path html = ferry.html();
        Files.writeString(html.resolve("t.html"), "plain");
        Files.writeString(html.resolve("t.foo"), "foo");
        Files.writeString(html.resolve("map.html"), "XaX");
        Files.write(html.resolve("koi.html"), RUSSIAN.getBytes(Charset.forName("KOI8-R")));
        Files.writeString(html.resolve("utf.html"), RUSSIAN + " ☃");
        Files.write(html.resolve("latin.html"), "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        ferry.start("""
                events { }
                http {
                    types { text/html html; text/foo foo; }
                    charset_map B A { 58 59; }
                    charset_map latin utf-8 { E9 C3A9; }
                    server {
                        listen 127.0.0.1:%1$d;
                        location / { charset utf-8; }
                        location /t.foo { charset utf-8; charset_types text/foo; }
                        location /map.html { charset A; source_charset B; }
                        location /koi.html { charset utf-8; source_charset koi8-r; }
                        location /utf.html { charset windows-1251; source_charset utf-8; }
                        location /latin.html { charset utf-8; source_charset latin; }
                        location /var/ { charset $arg_c; alias html/; }
                        location /p/ { charset B; override_charset on; proxy_pass http://127.0.0.1:%1$d/; }
                    }
                }
                """.formatted(ferry.port()));
    }

    private static RawHttpClient.Response get(String path) throws Exception {
        return ferry.get(path);
    }

    @Test
    void namesTheCharsetOfMatchingTypesOnly() throws Exception {
        assertThat(get("/t.html").header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(get("/t.foo").header("Content-Type")).isEqualTo("text/foo; charset=utf-8");
        assertThat(get("/var/t.html?c=koi8-r").header("Content-Type")).isEqualTo("text/html; charset=koi8-r");
        assertThat(get("/var/t.foo?c=utf-8").header("Content-Type")).isEqualTo("text/foo");
    }

    @Test
    void recodesByACharsetMapKeepingTheLength() throws Exception {
        RawHttpClient.Response r = get("/map.html");
        assertThat(r.header("Content-Type")).isEqualTo("text/html; charset=A");
        assertThat(r.text()).isEqualTo("YaY");
        assertThat(r.header("Content-Length")).isEqualTo("3");
    }

    @Test
    void recodesAMapToUtf8() throws Exception {
        assertThat(new String(get("/latin.html").body(), StandardCharsets.UTF_8)).isEqualTo("caf\u00e9");
    }

    @Test
    void recodesBetweenJavasCharsets() throws Exception {
        RawHttpClient.Response koi = get("/koi.html");
        assertThat(koi.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(new String(koi.body(), StandardCharsets.UTF_8)).isEqualTo(RUSSIAN);
        RawHttpClient.Response win = get("/utf.html");
        assertThat(new String(win.body(), Charset.forName("windows-1251")))
                .as("a character windows-1251 lacks is an HTML entity, as nginx writes it").isEqualTo(RUSSIAN + " &#9731;");
    }

    @Test
    void overrideRecodesFromTheCharsetTheAnswerNames() throws Exception {
        RawHttpClient.Response r = get("/p/map.html");
        assertThat(r.header("Content-Type")).isEqualTo("text/html; charset=B");
        assertThat(r.text()).isEqualTo("XaX");
    }
}
