package io.ferry.variable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.conf.ConfException;
import io.ferry.conf.directive.ConfigLoader;
import io.ferry.proxy.HeaderSetting;
import io.ferry.proxy.ProxyModule;
import io.ferry.proxy.ProxySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx's map (https://nginx.org/r/map): strings match ignoring case; with "hostnames" the masks
 * "*.x", ".x" and "x.*"; precedence exact, longest prefix mask, longest suffix mask, first regex,
 * default; no default means "".
 */
class MapVariableTest {
    @TempDir
    Path dir;

    private final Variables variables = new Variables();
    private final FakeRequestScope scope = new FakeRequestScope();

    private Template t(String text) {
        return Template.compile(text, variables);
    }

    /** A map whose source is $http_x_key, so each test sets the input with one header. */
    private MapVariable map(String... keyValuePairs) {
        MapVariable map = new MapVariable();
        map.source(t("$http_x_key"));
        for (int i = 0; i < keyValuePairs.length; i += 2) {
            String key = keyValuePairs[i];
            if (key.equals("default")) {
                map.defaultValue(t(keyValuePairs[i + 1]));
            } else {
                assertThat(map.add(key, t(keyValuePairs[i + 1]))).as("add %s", key).isTrue();
            }
        }
        return map;
    }

    private String eval(MapVariable map, String input) {
        scope.headers.remove("x-key");
        if (input != null) {
            scope.header("X-Key", input);
        }
        return map.value(scope);
    }

    @Test
    void exactKeysAndDefault() {
        MapVariable map = map("default", "zero", "one", "1", "two", "2");

        assertThat(eval(map, "one")).isEqualTo("1");
        assertThat(eval(map, "two")).isEqualTo("2");
        assertThat(eval(map, "three")).isEqualTo("zero");
        assertThat(eval(map, "on")).as("no prefix matching for plain strings").isEqualTo("zero");
    }

    @Test
    void stringsMatchIgnoringCase() {
        MapVariable map = map("Mozilla", "moz");

        assertThat(eval(map, "mozilla")).isEqualTo("moz");
        assertThat(eval(map, "MOZILLA")).isEqualTo("moz");
    }

    @Test
    void withoutDefaultAnUnmatchedValueIsEmpty() {
        MapVariable map = map("a", "1");
        assertThat(eval(map, "b")).isEmpty();
    }

    @Test
    void emptyKeyMatchesAnEmptyOrMissingSource() {
        MapVariable map = map("default", "upgrade", "", "close");

        assertThat(eval(map, null)).as("header absent").isEqualTo("close");
        assertThat(eval(map, "")).isEqualTo("close");
        assertThat(eval(map, "websocket")).isEqualTo("upgrade");
    }

    @Test
    void regexWithPositionalCapturesInTheValue() {
        MapVariable map = map("default", "none", "~^/users/(\\d+)/(\\w+)$", "user=$1 tab=$2");

        assertThat(eval(map, "/users/42/posts")).isEqualTo("user=42 tab=posts");
        assertThat(eval(map, "/users/x/posts")).isEqualTo("none");
    }

    @Test
    void regexMatchSetsTheRequestCaptures() {
        MapVariable map = map("~^(\\w+)@(\\w+)$", "$2");

        assertThat(eval(map, "alice@example")).isEqualTo("example");
        assertThat(scope.capture(1)).as("a successful map regex replaces $1..$9").isEqualTo("alice");
    }

    @Test
    void tildeIsCaseSensitiveAndTildeStarIsNot() {
        MapVariable sensitive = map("default", "no", "~^Opera", "yes");
        assertThat(eval(sensitive, "Opera Mini")).isEqualTo("yes");
        assertThat(eval(sensitive, "opera mini")).isEqualTo("no");

        MapVariable insensitive = map("default", "no", "~*^opera", "yes");
        assertThat(eval(insensitive, "OPERA Mini")).isEqualTo("yes");
        assertThat(eval(insensitive, "opera mini")).isEqualTo("yes");
    }

    @Test
    void regexesAreTriedInOrderOfAppearance() {
        MapVariable map = map("~a", "first", "~ab", "second");
        assertThat(eval(map, "xab")).isEqualTo("first");
    }

    @Test
    void exactStringBeatsRegex() {
        MapVariable map = map("~^/api", "regex", "/api/health", "exact");

        assertThat(eval(map, "/api/health")).isEqualTo("exact");
        assertThat(eval(map, "/api/users")).isEqualTo("regex");
    }

    @Test
    void duplicateExactKeyIsRejected() {
        MapVariable map = new MapVariable();
        assertThat(map.add("key", t("1"))).isTrue();
        assertThat(map.add("KEY", t("2"))).as("keys are case-insensitive, so this duplicates").isFalse();
    }

    @Test
    void backslashEscapesASpecialParameterName() {
        MapVariable map = map("default", "dflt", "\\default", "literal");

        assertThat(eval(map, "default")).isEqualTo("literal");
        assertThat(eval(map, "other")).isEqualTo("dflt");
    }

    private MapVariable hostnames(String... keyValuePairs) {
        MapVariable map = new MapVariable();
        map.source(t("$http_x_key"));
        map.hostnames();
        for (int i = 0; i < keyValuePairs.length; i += 2) {
            if (keyValuePairs[i].equals("default")) {
                map.defaultValue(t(keyValuePairs[i + 1]));
            } else {
                map.add(keyValuePairs[i], t(keyValuePairs[i + 1]));
            }
        }
        return map;
    }

    @Test
    void hostnamesLeadingAsteriskMask() {
        MapVariable map = hostnames("default", "0", "*.example.com", "1");

        assertThat(eval(map, "www.example.com")).isEqualTo("1");
        assertThat(eval(map, "a.b.example.com")).isEqualTo("1");
        assertThat(eval(map, "WWW.Example.COM")).isEqualTo("1");
        assertThat(eval(map, "example.com")).as("*.x does not match x itself").isEqualTo("0");
        assertThat(eval(map, "badexample.com")).isEqualTo("0");
    }

    @Test
    void hostnamesDotMaskMatchesDomainAndSubdomains() {
        MapVariable map = hostnames("default", "0", ".example.net", "3");

        assertThat(eval(map, "example.net")).isEqualTo("3");
        assertThat(eval(map, "www.example.net")).isEqualTo("3");
        assertThat(eval(map, "badexample.net")).isEqualTo("0");
    }

    @Test
    void hostnamesTrailingMaskAndTrailingDot() {
        MapVariable map = hostnames("default", "0", "wap.*", "4", "example.org", "2");

        assertThat(eval(map, "wap.example.com")).isEqualTo("4");
        assertThat(eval(map, "wap")).as("wap.* needs the dot").isEqualTo("0");
        assertThat(eval(map, "example.org.")).as("a trailing dot is ignored").isEqualTo("2");
    }

    @Test
    void hostnamesPrecedence() {
        MapVariable map = hostnames(
                "default", "default",
                "~^www\\.", "regex",
                "www.*", "suffix-mask",
                "*.com", "short-prefix-mask",
                "*.example.com", "long-prefix-mask",
                "www.example.com", "exact");

        assertThat(eval(map, "www.example.com")).isEqualTo("exact");
        assertThat(eval(map, "api.example.com")).isEqualTo("long-prefix-mask");
        assertThat(eval(map, "www.other.com")).as("prefix mask beats suffix mask and regex").isEqualTo("short-prefix-mask");
        assertThat(eval(map, "www.other.org")).as("suffix mask beats regex").isEqualTo("suffix-mask");
        assertThat(eval(map, "mail.other.org")).isEqualTo("default");
    }

    @Test
    void masksAreLiteralWithoutHostnames() {
        MapVariable map = map("default", "0", "*.example.com", "1");

        assertThat(eval(map, "www.example.com")).isEqualTo("0");
        assertThat(eval(map, "*.example.com")).isEqualTo("1");
    }

    // ---- through the configuration: the map feeds proxy_set_header --------------------------------

    private ProxySettings proxy(String httpPrelude, String locationBody) throws Exception {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, "http {\n" + httpPrelude + "\nserver {\nlisten 8080;\nlocation / {\n"
                + "proxy_pass http://127.0.0.1:9000;\n" + locationBody + "\n}\n}\n}\n");
        return ConfigLoader.load(dir, conf, null).config().http().servers().get(0).locations().get(0)
                .settings().module(ProxyModule.SETTINGS);
    }

    private static String header(ProxySettings proxy, String name, FakeRequestScope scope) {
        for (HeaderSetting h : proxy.headers()) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value().render(scope);
            }
        }
        throw new AssertionError("no header " + name + " in " + proxy.headers());
    }

    @Test
    void websocketConnectionUpgradeIdiom() throws Exception {
        ProxySettings proxy = proxy("""
                map $http_upgrade $connection_upgrade {
                    default upgrade;
                    ''      close;
                }
                """, """
                proxy_http_version 1.1;
                proxy_set_header Upgrade $http_upgrade;
                proxy_set_header Connection $connection_upgrade;
                """);

        FakeRequestScope plain = new FakeRequestScope();
        assertThat(header(proxy, "Connection", plain)).isEqualTo("close");
        assertThat(header(proxy, "Upgrade", plain)).isEmpty();

        FakeRequestScope ws = new FakeRequestScope().header("Upgrade", "websocket");
        assertThat(header(proxy, "Connection", ws)).isEqualTo("upgrade");
        assertThat(header(proxy, "Upgrade", ws)).isEqualTo("websocket");
    }

    @Test
    void hostnamesMapFromConfiguration() throws Exception {
        ProxySettings proxy = proxy("""
                map $http_host $site {
                    hostnames;
                    default       0;
                    example.com   1;
                    *.example.com 1;
                    example.org   2;
                    *.example.org 2;
                    .example.net  3;
                    wap.*         4;
                }
                """, "proxy_set_header X-Site $site;");

        assertThat(header(proxy, "X-Site", new FakeRequestScope().header("Host", "example.com"))).isEqualTo("1");
        assertThat(header(proxy, "X-Site", new FakeRequestScope().header("Host", "a.example.org"))).isEqualTo("2");
        assertThat(header(proxy, "X-Site", new FakeRequestScope().header("Host", "example.net"))).isEqualTo("3");
        assertThat(header(proxy, "X-Site", new FakeRequestScope().header("Host", "www.example.net"))).isEqualTo("3");
        assertThat(header(proxy, "X-Site", new FakeRequestScope().header("Host", "wap.test"))).isEqualTo("4");
        assertThat(header(proxy, "X-Site", new FakeRequestScope().header("Host", "other.test"))).isEqualTo("0");
    }

    @Test
    void mapsMayReferToOtherMapsDeclaredLater() throws Exception {
        ProxySettings proxy = proxy("""
                map $second $first { default "first-$second"; }
                map $http_x_key $second { default two; a A; }
                """, "proxy_set_header X-First $first;");

        assertThat(header(proxy, "X-First", new FakeRequestScope())).isEqualTo("first-two");
        assertThat(header(proxy, "X-First", new FakeRequestScope().header("X-Key", "a"))).isEqualTo("first-A");
    }

    @Test
    void duplicateKeyInConfigurationIsAConflictingParameter() throws Exception {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, """
                http {
                    map $http_x $y {
                        a 1;
                        A 2;
                    }
                }
                """);
        ConfException e = catchThrowableOfType(ConfException.class, () -> ConfigLoader.load(dir, conf, null));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).isEqualTo("conflicting parameter \"A\" in " + conf + ":4");
    }

    /** The map page: "A regular expression can contain named and positional captures that can later be used". */
    @Test
    void namedCapturesOfAMapRegexAreVariables() throws Exception {
        ProxySettings proxy = proxy("""
                map $http_x_key $mapped {
                    ~^/(?<first>[^/]+)/  $first;
                }
                """, "proxy_set_header X-Mapped $mapped;");

        assertThat(header(proxy, "X-Mapped", new FakeRequestScope().header("X-Key", "/images/cats"))).isEqualTo("images");
    }
}
