package io.ferry.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.model.HttpConfig;
import io.ferry.model.VirtualServer;
import io.ferry.net.SocketPlan;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Virtual server selection by name (https://nginx.org/docs/http/server_names.html): exact name,
 * longest wildcard starting with "*", longest wildcard ending with "*", first matching regex,
 * else the default server of the address:port.
 */
class ServerSelectorTest {
    @TempDir
    Path dir;

    private HttpConfig http(String httpBody) throws Exception {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, "http {\n" + httpBody + "\n}\n");
        return ConfigLoader.load(dir, conf, null).config().http();
    }

    /** A selector over all servers, with the first one as the default (nginx's rule without default_server). */
    private ServerSelector selector(String httpBody) throws Exception {
        List<VirtualServer> servers = http(httpBody).servers();
        return new ServerSelector(servers, servers.get(0));
    }

    /** The first server_name of the chosen server identifies it in assertions. */
    private static String pick(ServerSelector selector, String host) {
        VirtualServer vs = selector.select(host);
        return vs == null ? null : vs.names().isEmpty() ? "" : vs.names().get(0).text();
    }

    /**
     * The selector the server actually builds for a socket (io.ferry.server.Site.plan, which decides
     * the default server). Site is package-private, so it is reached by reflection; no socket is
     * opened by planning.
     */
    private static ServerSelector plannedSelector(HttpConfig http, String socket) throws Exception {
        Class<?> siteClass = Class.forName("io.ferry.server.Site");
        Method plan = siteClass.getDeclaredMethod("plan", HttpConfig.class);
        plan.setAccessible(true);
        Map<?, ?> plans = (Map<?, ?>) plan.invoke(null, http);
        Object socketPlan = plans.get(socket);
        assertThat(socketPlan).as("socket %s in %s", socket, plans.keySet()).isNotNull();
        Object site = ((SocketPlan<?>) socketPlan).sites().get("*");
        Method selector = site.getClass().getDeclaredMethod("selector");
        selector.setAccessible(true);
        return (ServerSelector) selector.invoke(site);
    }

    @Test
    void anEmptyNameTakesRequestsWithoutAHost() throws Exception {
        ServerSelector s = selector("""
                server { listen 80; server_name default.test; }
                server { listen 80; server_name ""; }
                """);
        assertThat(pick(s, null)).isEqualTo("");
        assertThat(pick(s, "")).isEqualTo("");
        assertThat(pick(s, "other.org")).isEqualTo("default.test");
        assertThat(pick(selector("server { listen 80; server_name default.test; }"), null)).isEqualTo("default.test");
    }

    @Test
    void serverNameVariableDropsTheDotOfADotWildcard() throws Exception {
        ServerSelector s = selector("server { listen 80; server_name .dot.example.com *.wc.example.com; }");
        assertThat(s.select("www.dot.example.com").primaryName()).isEqualTo("dot.example.com");
    }

    @Test
    void exactNameMatches() throws Exception {
        ServerSelector s = selector("""
                server { listen 80; server_name default.test; }
                server { listen 80; server_name example.org www.example.org; }
                server { listen 80; server_name example.net; }
                """);

        assertThat(pick(s, "example.org")).isEqualTo("example.org");
        assertThat(pick(s, "www.example.org")).isEqualTo("example.org");
        assertThat(pick(s, "example.net")).isEqualTo("example.net");
        assertThat(pick(s, "other.org")).isEqualTo("default.test");
    }

    @Test
    void precedenceExactThenLeadingWildcardThenTrailingWildcardThenRegex() throws Exception {
        ServerSelector s = selector("""
                server { listen 80; server_name default.test; }
                server { listen 80; server_name ~^(?<user>.+)\\.example\\.net$; }
                server { listen 80; server_name www.example.*; }
                server { listen 80; server_name *.example.org; }
                server { listen 80; server_name www.example.org; }
                """);

        assertThat(pick(s, "www.example.org")).as("exact").isEqualTo("www.example.org");
        assertThat(pick(s, "mail.example.org")).as("*.example.org").isEqualTo("*.example.org");
        assertThat(pick(s, "www.example.net")).as("www.example.* beats the regex").isEqualTo("www.example.*");
        assertThat(pick(s, "www.example.com")).isEqualTo("www.example.*");
        assertThat(pick(s, "alice.example.net")).as("regex").isEqualTo("~^(?<user>.+)\\.example\\.net$");
        assertThat(pick(s, "example.net")).as("regex needs a non-empty user").isEqualTo("default.test");
    }

    @Test
    void leadingWildcardBeatsTrailingWildcardWhateverTheirLength() throws Exception {
        ServerSelector s = selector("""
                server { listen 80; server_name default.test; }
                server { listen 80; server_name www.example.*; }
                server { listen 80; server_name *.org; }
                """);

        assertThat(pick(s, "www.example.org")).as("matches both; the leading wildcard wins").isEqualTo("*.org");
        assertThat(pick(s, "www.example.com")).isEqualTo("www.example.*");
    }

    @Test
    void longestLeadingWildcardWins() throws Exception {
        ServerSelector s = selector("""
                server { listen 80; server_name default.test; }
                server { listen 80; server_name *.example.org; }
                server { listen 80; server_name *.sub.example.org; }
                server { listen 80; server_name *.org; }
                """);

        assertThat(pick(s, "a.sub.example.org")).isEqualTo("*.sub.example.org");
        assertThat(pick(s, "a.b.sub.example.org")).isEqualTo("*.sub.example.org");
        assertThat(pick(s, "sub.example.org")).isEqualTo("*.example.org");
        assertThat(pick(s, "www.example.org")).isEqualTo("*.example.org");
        assertThat(pick(s, "example.org")).isEqualTo("*.org");
        assertThat(pick(s, "org")).as("*.org needs a label before .org").isEqualTo("default.test");
    }

    @Test
    void longestTrailingWildcardWins() throws Exception {
        ServerSelector s = selector("""
                server { listen 80; server_name default.test; }
                server { listen 80; server_name www.*; }
                server { listen 80; server_name www.example.*; }
                """);

        assertThat(pick(s, "www.example.com")).isEqualTo("www.example.*");
        assertThat(pick(s, "www.example.co.uk")).isEqualTo("www.example.*");
        assertThat(pick(s, "www.other.com")).isEqualTo("www.*");
        assertThat(pick(s, "mail.example.com")).isEqualTo("default.test");
    }

    @Test
    void asteriskWildcardDoesNotMatchTheBareDomain() throws Exception {
        ServerSelector s = selector("""
                server { listen 80; server_name default.test; }
                server { listen 80; server_name *.example.org; }
                """);

        assertThat(pick(s, "example.org")).isEqualTo("default.test");
        assertThat(pick(s, "badexample.org")).as("only on a dot border").isEqualTo("default.test");
    }

    @Test
    void dotWildcardMatchesBareDomainAndSubdomains() throws Exception {
        ServerSelector s = selector("""
                server { listen 80; server_name default.test; }
                server { listen 80; server_name .example.org; }
                """);

        assertThat(pick(s, "example.org")).isEqualTo(".example.org");
        assertThat(pick(s, "www.example.org")).isEqualTo(".example.org");
        assertThat(pick(s, "a.b.example.org")).isEqualTo(".example.org");
        assertThat(pick(s, "badexample.org")).isEqualTo("default.test");
    }

    @Test
    void exactNameBeatsDotWildcard() throws Exception {
        ServerSelector s = selector("""
                server { listen 80; server_name .example.org; }
                server { listen 80; server_name www.example.org; }
                """);

        assertThat(pick(s, "www.example.org")).isEqualTo("www.example.org");
        assertThat(pick(s, "example.org")).isEqualTo(".example.org");
    }

    @Test
    void firstMatchingRegexInConfigurationOrder() throws Exception {
        ServerSelector s = selector("""
                server { listen 80; server_name default.test; }
                server { listen 80; server_name ~^api\\d*\\.; }
                server { listen 80; server_name ~^api\\.example\\.com$; }
                """);

        assertThat(pick(s, "api.example.com")).isEqualTo("~^api\\d*\\.");
        assertThat(pick(s, "api7.example.com")).isEqualTo("~^api\\d*\\.");
        assertThat(pick(s, "web.example.com")).isEqualTo("default.test");
    }

    @Test
    void hostIsMatchedCaseInsensitively() throws Exception {
        ServerSelector s = selector("""
                server { listen 80; server_name default.test; }
                server { listen 80; server_name Example.ORG; }
                server { listen 80; server_name *.Example.net; }
                server { listen 80; server_name ~^WWW\\d+\\.example\\.com$; }
                """);

        assertThat(pick(s, "EXAMPLE.org")).isEqualTo("example.org");
        assertThat(pick(s, "Www.EXAMPLE.Net")).isEqualTo("*.example.net");
        assertThat(pick(s, "www1.example.com")).as("server_name regexes are caseless in nginx")
                .isEqualTo("~^WWW\\d+\\.example\\.com$");
    }

    @Test
    void trailingDotInHostIsIgnored() throws Exception {
        ServerSelector s = selector("""
                server { listen 80; server_name default.test; }
                server { listen 80; server_name example.org; }
                server { listen 80; server_name *.example.net; }
                """);

        assertThat(pick(s, "example.org.")).isEqualTo("example.org");
        assertThat(pick(s, "www.example.net.")).isEqualTo("*.example.net");
    }

    @Test
    void missingOrEmptyHostGoesToTheDefaultServer() throws Exception {
        List<VirtualServer> servers = http("""
                server { listen 80; server_name a.test; }
                server { listen 80; server_name b.test; }
                """).servers();
        ServerSelector s = new ServerSelector(servers, servers.get(1));

        assertThat(s.select(null)).isSameAs(servers.get(1));
        assertThat(s.select("")).isSameAs(servers.get(1));
        assertThat(s.select("a.test")).isSameAs(servers.get(0));
        assertThat(s.defaultServer()).isSameAs(servers.get(1));
    }

    @Test
    void firstServerOfTheSocketIsTheDefaultWithoutDefaultServer() throws Exception {
        HttpConfig http = http("""
                server { listen 8080; server_name first.test; }
                server { listen 8080; server_name second.test; }
                """);
        ServerSelector s = plannedSelector(http, "*:8080");

        assertThat(pick(s, "unknown.test")).isEqualTo("first.test");
        assertThat(pick(s, "second.test")).isEqualTo("second.test");
        assertThat(pick(s, null)).isEqualTo("first.test");
    }

    @Test
    void defaultServerParameterOverridesTheFirstServer() throws Exception {
        HttpConfig http = http("""
                server { listen 8080; server_name first.test; }
                server { listen 8080 default_server; server_name second.test; }
                server { listen 8080; server_name third.test; }
                """);
        ServerSelector s = plannedSelector(http, "*:8080");

        assertThat(pick(s, "unknown.test")).isEqualTo("second.test");
        assertThat(pick(s, "first.test")).as("a name match still wins over the default").isEqualTo("first.test");
        assertThat(pick(s, "")).isEqualTo("second.test");
    }

    @Test
    void defaultServerIsPerListenSocket() throws Exception {
        HttpConfig http = http("""
                server { listen 8080; listen 8081; server_name a.test; }
                server { listen 8081 default_server; server_name b.test; }
                """);

        assertThat(pick(plannedSelector(http, "*:8080"), "x.test")).isEqualTo("a.test");
        assertThat(pick(plannedSelector(http, "*:8081"), "x.test")).isEqualTo("b.test");
        assertThat(pick(plannedSelector(http, "*:8080"), "b.test")).as("b.test does not listen on 8080")
                .isEqualTo("a.test");
    }

    /**
     * The server_names page lists three PCRE named-capture syntaxes: ?&lt;name&gt;, ?'name' and the
     * Python-compatible ?P&lt;name&gt;. Java's regex only knows the first.
     */
    @Test
    void pythonAndQuoteStyleNamedCapturesAreAccepted() throws Exception {
        ServerSelector s = selector("""
                server { listen 80; server_name default.test; }
                server { listen 80; server_name "~^(?P<user>.+)\\.example\\.net$"; }
                server { listen 80; server_name "~^(?'sub'.+)\\.example\\.com$"; }
                """);

        assertThat(pick(s, "alice.example.net")).isEqualTo("~^(?P<user>.+)\\.example\\.net$");
        assertThat(pick(s, "www.example.com")).isEqualTo("~^(?'sub'.+)\\.example\\.com$");
    }
}
