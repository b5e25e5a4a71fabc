package io.ferry.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.model.Location;
import io.ferry.model.LocationModifier;
import io.ferry.model.VirtualServer;
import io.ferry.module.rewrite.RewriteModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx's location selection (https://nginx.org/r/location): exact match first, then the longest
 * prefix (searching its nested locations), then regexes in configuration order unless the prefix
 * is "^~"; without a regex match the remembered prefix is used.
 */
class LocationMatcherTest {
    @TempDir
    Path dir;

    /** Loads {@code http { server { BODY } }} and returns that server's location tree. */
    private List<Location> locations(String serverBody) throws Exception {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, "http {\n    server {\n        listen 8080;\n" + serverBody + "\n    }\n}\n");
        VirtualServer server = ConfigLoader.load(dir, conf, null).config().http().servers().get(0);
        return server.locations();
    }

    /** "modifier path" of the chosen location, e.g. "~* \.(gif|jpg)$", "= /", " /documents/"; null when none. */
    private static String chosen(List<Location> locations, String uri) {
        LocationMatch m = LocationMatcher.find(locations, uri);
        return m == null ? null : m.location().modifier().symbol() + " " + m.location().path();
    }

    @Test
    void nginxDocumentationExampleAtoE() throws Exception {
        List<Location> locs = locations("""
                location = / { return 200 A; }
                location / { return 200 B; }
                location /documents/ { return 200 C; }
                location ^~ /images/ { return 200 D; }
                location ~* \\.(gif|jpg|jpeg)$ { return 200 E; }
                """);

        assertThat(chosen(locs, "/")).isEqualTo("= /");
        assertThat(chosen(locs, "/index.html")).isEqualTo(" /");
        assertThat(chosen(locs, "/documents/document.html")).isEqualTo(" /documents/");
        assertThat(chosen(locs, "/images/1.gif")).isEqualTo("^~ /images/");
        assertThat(chosen(locs, "/documents/1.jpg")).isEqualTo("~* \\.(gif|jpg|jpeg)$");
        // the body text proves the matched Location carries its own settings
        assertThat(RewriteModule.returnAction(LocationMatcher.find(locs, "/documents/1.jpg").location().settings()).text().text())
                .isEqualTo("E");
    }

    @Test
    void exactMatchBeatsEverythingEvenWhenWrittenLast() throws Exception {
        List<Location> locs = locations("""
                location ~ ^/api { }
                location ^~ /api { }
                location = /api { }
                """);

        assertThat(chosen(locs, "/api")).isEqualTo("= /api");
        assertThat(chosen(locs, "/api/")).isEqualTo("^~ /api");
    }

    @Test
    void exactLocationForRootMatchesOnlySlash() throws Exception {
        List<Location> locs = locations("location = / { }");

        assertThat(chosen(locs, "/")).isEqualTo("= /");
        assertThat(chosen(locs, "/index.html")).isNull();
        assertThat(chosen(locs, "//")).isNull();
    }

    @Test
    void exactWithoutSpaceIsStillExact() throws Exception {
        List<Location> locs = locations("location =/x { }\nlocation / { }");

        assertThat(LocationMatcher.find(locs, "/x").location().modifier()).isEqualTo(LocationModifier.EXACT);
        assertThat(chosen(locs, "/x/")).isEqualTo(" /");
    }

    @Test
    void longestPrefixWinsRegardlessOfOrder() throws Exception {
        List<Location> locs = locations("""
                location /a/b/c/ { }
                location / { }
                location /a/ { }
                location /a/b/ { }
                """);

        assertThat(chosen(locs, "/a/b/c/d")).isEqualTo(" /a/b/c/");
        assertThat(chosen(locs, "/a/b/x")).isEqualTo(" /a/b/");
        assertThat(chosen(locs, "/a/x")).isEqualTo(" /a/");
        assertThat(chosen(locs, "/ab")).isEqualTo(" /");
        assertThat(chosen(locs, "/a/b")).as("a prefix must match whole, not by common start").isEqualTo(" /a/");
    }

    @Test
    void prefixMatchingIsCaseSensitive() throws Exception {
        List<Location> locs = locations("location /Docs/ { }\nlocation / { }");

        assertThat(chosen(locs, "/Docs/x")).isEqualTo(" /Docs/");
        assertThat(chosen(locs, "/docs/x")).isEqualTo(" /");
    }

    @Test
    void regexBeatsTheLongestPlainPrefix() throws Exception {
        List<Location> locs = locations("""
                location /static/ { }
                location ~ \\.php$ { }
                """);

        assertThat(chosen(locs, "/static/index.php")).isEqualTo("~ \\.php$");
        assertThat(chosen(locs, "/static/index.html")).isEqualTo(" /static/");
    }

    @Test
    void preferredPrefixStopsTheRegexSearch() throws Exception {
        List<Location> locs = locations("""
                location ^~ /static/ { }
                location ~ \\.php$ { }
                """);

        assertThat(chosen(locs, "/static/index.php")).isEqualTo("^~ /static/");
        assertThat(chosen(locs, "/other/index.php")).isEqualTo("~ \\.php$");
    }

    @Test
    void preferredPrefixOnlyCountsWhenItIsTheLongestPrefix() throws Exception {
        List<Location> locs = locations("""
                location ^~ /static/ { }
                location /static/php/ { }
                location ~ \\.php$ { }
                """);

        // the longest prefix is the plain /static/php/, so regexes are still checked
        assertThat(chosen(locs, "/static/php/x.php")).isEqualTo("~ \\.php$");
        assertThat(chosen(locs, "/static/php/x.html")).isEqualTo(" /static/php/");
        assertThat(chosen(locs, "/static/x.php")).isEqualTo("^~ /static/");
    }

    @Test
    void firstMatchingRegexInConfigurationOrderWins() throws Exception {
        List<Location> locs = locations("""
                location ~ /img/ { return 200 first; }
                location ~ \\.png$ { return 200 second; }
                """);

        assertThat(chosen(locs, "/img/a.png")).isEqualTo("~ /img/");
        assertThat(chosen(locs, "/x/a.png")).isEqualTo("~ \\.png$");

        List<Location> reversed = locations("""
                location ~ \\.png$ { return 200 second; }
                location ~ /img/ { return 200 first; }
                """);
        assertThat(chosen(reversed, "/img/a.png")).isEqualTo("~ \\.png$");
    }

    @Test
    void regexIsNotAnchoredUnlessWritten() throws Exception {
        List<Location> locs = locations("location ~ api { }");

        assertThat(chosen(locs, "/v1/api/x")).isEqualTo("~ api");
        assertThat(chosen(locs, "/v1/API/x")).isNull();
    }

    @Test
    void caseInsensitiveRegex() throws Exception {
        List<Location> locs = locations("""
                location ~ \\.jpg$ { }
                location ~* \\.gif$ { }
                """);

        assertThat(chosen(locs, "/a.GIF")).isEqualTo("~* \\.gif$");
        assertThat(chosen(locs, "/a.gif")).isEqualTo("~* \\.gif$");
        assertThat(chosen(locs, "/a.jpg")).isEqualTo("~ \\.jpg$");
        assertThat(chosen(locs, "/a.JPG")).as("~ is case-sensitive").isNull();
    }

    @Test
    void regexNestedInTheLongestPrefixBeatsTopLevelRegex() throws Exception {
        List<Location> locs = locations("""
                location /app/ {
                    location ~ \\.js$ { return 200 nested; }
                }
                location ~ \\.js$ { return 200 top; }
                """);

        LocationMatch m = LocationMatcher.find(locs, "/app/main.js");
        assertThat(RewriteModule.returnAction(m.location().settings()).text().text()).isEqualTo("nested");
        assertThat(RewriteModule.returnAction(LocationMatcher.find(locs, "/lib/main.js").location().settings()).text().text())
                .isEqualTo("top");
    }

    @Test
    void nestedPrefixIsUsedWhenNoRegexMatches() throws Exception {
        List<Location> locs = locations("""
                location /app/ {
                    location /app/admin/ { return 200 admin; }
                }
                location ~ \\.js$ { return 200 top; }
                """);

        assertThat(chosen(locs, "/app/admin/users")).isEqualTo(" /app/admin/");
        assertThat(chosen(locs, "/app/other")).isEqualTo(" /app/");
        // a nested plain prefix does not stop the top-level regexes
        assertThat(chosen(locs, "/app/admin/x.js")).isEqualTo("~ \\.js$");
    }

    @Test
    void nestedExactMatchWins() throws Exception {
        List<Location> locs = locations("""
                location /app/ {
                    location = /app/health { return 200 health; }
                }
                location ~ health { }
                """);

        assertThat(chosen(locs, "/app/health")).isEqualTo("= /app/health");
        assertThat(chosen(locs, "/app/healthz")).isEqualTo("~ health");
    }

    @Test
    void regexNestedInRegexLocation() throws Exception {
        List<Location> locs = locations("""
                location ~ ^/api/ {
                    location ~ \\.json$ { return 200 json; }
                }
                """);

        assertThat(chosen(locs, "/api/x.json")).isEqualTo("~ \\.json$");
        assertThat(chosen(locs, "/api/x.xml")).isEqualTo("~ ^/api/");
    }

    @Test
    void noMatchReturnsNull() throws Exception {
        List<Location> locs = locations("""
                location /a/ { }
                location = /b { }
                location ~ \\.php$ { }
                """);

        assertThat(LocationMatcher.find(locs, "/c")).isNull();
        assertThat(LocationMatcher.find(locs, "/b/")).isNull();
        assertThat(LocationMatcher.find(List.of(), "/")).isNull();
    }

    @Test
    void namedLocationsAreNeverMatchedByUri() throws Exception {
        List<Location> locs = locations("location @fallback { }");

        assertThat(LocationMatcher.find(locs, "@fallback")).isNull();
        assertThat(LocationMatcher.named(locs, "@fallback")).isNotNull();
        assertThat(LocationMatcher.named(locs, "@other")).isNull();
    }

    @Test
    void regexCapturesAreAvailable() throws Exception {
        List<Location> locs = locations("""
                location / { }
                location ~ ^/images/(.*)\\.([a-z]+)$ { }
                location ~ ^/users/(?<user>[^/]+)/ { }
                """);

        LocationMatch m = LocationMatcher.find(locs, "/images/cats/tom.jpg");
        assertThat(m.captures()).isNotNull();
        assertThat(m.captures().groupCount()).isEqualTo(2);
        assertThat(m.captures().group(1)).isEqualTo("cats/tom");
        assertThat(m.captures().group(2)).isEqualTo("jpg");

        LocationMatch named = LocationMatcher.find(locs, "/users/alice/profile");
        assertThat(named.captures().group(1)).isEqualTo("alice");

        assertThat(LocationMatcher.find(locs, "/plain").captures()).as("prefix matches have no captures").isNull();
    }

    @Test
    void nestedRegexCapturesComeFromTheNestedMatch() throws Exception {
        List<Location> locs = locations("""
                location /files/ {
                    location ~ ^/files/(\\d+)$ { }
                }
                """);

        LocationMatch m = LocationMatcher.find(locs, "/files/42");
        assertThat(m.captures().group(1)).isEqualTo("42");
    }

    /**
     * nginx (ngx_http_core_location) also accepts the modifier glued to the path: "^~/images/",
     * "~\.php$", "~*\.jpg$", not only "=/x".
     */
    @Test
    void modifiersWithoutSpaceAreRecognized() throws Exception {
        List<Location> locs = locations("""
                location ^~/images/ { }
                location ~*\\.GIF$ { }
                location ~\\.php$ { }
                """);

        assertThat(chosen(locs, "/images/a.php")).isEqualTo("^~ /images/");
        assertThat(chosen(locs, "/x/a.gif")).isEqualTo("~* \\.GIF$");
        assertThat(chosen(locs, "/x/a.php")).isEqualTo("~ \\.php$");
    }
}
