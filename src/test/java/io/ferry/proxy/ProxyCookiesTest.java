package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import io.ferry.variable.RequestScope;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.MatchResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy_cookie_domain, proxy_cookie_path and proxy_cookie_flags: the rewriting, inheritance and errors. */
class ProxyCookiesTest {
    @TempDir
    Path dir;

    private ProxyCookies cookies(String httpBody, String path) throws Exception {
        VirtualServer vs = new ConfigText(dir).server(httpBody);
        return find(vs.locations(), path).settings().module(ProxyModule.SETTINGS).cookies();
    }

    private static Location find(List<Location> locations, String path) {
        for (Location l : locations) {
            if (l.path().equals(path)) {
                return l;
            }
        }
        for (Location l : locations) {
            if (path.startsWith(l.path())) {
                return find(l.nested(), path);
            }
        }
        throw new AssertionError("no location " + path);
    }

    private String error(String httpBody) throws Exception {
        return new ConfigText(dir).httpError(httpBody).detail();
    }

    /** A request whose server_name is "localhost" and whose query string is {@code args}. */
    private static RequestScope scope(String args) {
        MatchResult[] match = new MatchResult[1];
        InvocationHandler h = (proxy, method, a) -> switch (method.getName()) {
            case "args" -> args;
            case "serverName", "host" -> "localhost";
            case "captures" -> {
                match[0] = (MatchResult) a[0];
                yield null;
            }
            case "capture" -> a[0] instanceof Integer n && match[0] != null && n <= match[0].groupCount()
                    ? match[0].group(n) : null;
            default -> method.isDefault() ? InvocationHandler.invokeDefault(proxy, method, a) : null;
        };
        return (RequestScope) Proxy.newProxyInstance(RequestScope.class.getClassLoader(),
                new Class<?>[] {RequestScope.class}, h);
    }

    private static final String REWRITES = """
            server { listen 8080; server_name localhost;
                location / { proxy_pass http://127.0.0.1:8081;
                    proxy_cookie_domain www.example.org .example.com;
                    proxy_cookie_domain .$server_name.com en.$server_name.org;
                    proxy_cookie_domain ~^(.+)\\.com$ $1.org;
                    proxy_cookie_path /path/ /new/;
                    proxy_cookie_path /$server_name/ /new/$server_name/;
                    proxy_cookie_path ~^/regex/(.+)$ /$1;
                    proxy_cookie_path ~*^/caseless/(.+)$ /$1;
                    location /off/ { proxy_pass http://127.0.0.1:8081; proxy_cookie_domain off; proxy_cookie_path off; }
                }
            }
            """;

    @Test
    void domainRulesIgnoreLeadingDotsAndCaseAndTheFirstMatchWins() throws Exception {
        ProxyCookies c = cookies(REWRITES, "/");
        assertThat(c.rewrite(scope(null), "v=1; Domain=www.Example.org")).isEqualTo("v=1; Domain=example.com");
        assertThat(c.rewrite(scope(null), "v=1; Domain=.LocalHost.com")).isEqualTo("v=1; Domain=.en.localhost.org");
        assertThat(c.rewrite(scope(null), "v=1; domain=www.example.COM")).isEqualTo("v=1; domain=www.example.org");
        assertThat(c.rewrite(scope(null), "v=1; Domain=other.net")).isNull();
    }

    @Test
    void pathRulesReplaceAPrefixOrTheWholeValueOnARegexMatch() throws Exception {
        ProxyCookies c = cookies(REWRITES, "/");
        assertThat(c.rewrite(scope(null), "v=1; Path=/path/test.html")).isEqualTo("v=1; Path=/new/test.html");
        assertThat(c.rewrite(scope(null), "v=1; Path=/localhost/x")).isEqualTo("v=1; Path=/new/localhost/x");
        assertThat(c.rewrite(scope(null), "v=1; Path=/regex/test.html")).isEqualTo("v=1; Path=/test.html");
        assertThat(c.rewrite(scope(null), "v=1; Path=/CASEless/test.html")).isEqualTo("v=1; Path=/test.html");
        assertThat(c.rewrite(scope(null), "v=1; Path=/REGEX/test.html")).isNull();
        // a rewritten line is joined again with "; ", spaces around names and values dropped
        assertThat(c.rewrite(scope(null), "v = 1 ;Domain= www.example.org ;Secure"))
                .isEqualTo("v=1; Domain=example.com; Secure");
    }

    @Test
    void aLineWithoutNameValuePairOrOffIsLeftAlone() throws Exception {
        assertThat(cookies(REWRITES, "/").rewrite(scope(null), "Domain=www.example.org")).isNull();
        assertThat(cookies(REWRITES, "/").rewrite(scope(null), "v; Domain=www.example.org")).isNull();
        assertThat(cookies(REWRITES, "/off/").isEmpty()).isTrue();
    }

    private static final String FLAGS = """
            server { listen 8080;
                proxy_cookie_flags a secure httponly samesite=none;
                proxy_cookie_flags b secure httponly samesite=lax;
                proxy_cookie_flags d nosecure nohttponly nosamesite;
                proxy_cookie_flags $arg_complex secure;
                proxy_cookie_flags ~BAR httponly;
                location / { proxy_pass http://127.0.0.1:8081; }
                location /var/ { proxy_pass http://127.0.0.1:8081; proxy_cookie_flags $arg_v $arg_f1 $arg_f2; }
            }
            """;

    @Test
    void flagsAreAddedChangedInPlaceOrRemoved() throws Exception {
        ProxyCookies c = cookies(FLAGS, "/");
        assertThat(c.rewrite(scope(null), "a=1; Domain=x")).isEqualTo("a=1; Domain=x; Secure; HttpOnly; SameSite=None");
        assertThat(c.rewrite(scope(null), "A=1;secure;SameSite=Lax"))
                .isEqualTo("A=1; secure; SameSite=None; HttpOnly");
        assertThat(c.rewrite(scope(null), "b=1; samesite=lax")).isEqualTo("b=1; samesite=lax; Secure; HttpOnly");
        assertThat(c.rewrite(scope(null), "d=1;secure;httponly;samesite=lax")).isEqualTo("d=1");
        assertThat(c.rewrite(scope(null), "nx=1;samesite=none")).isNull();
        assertThat(c.rewrite(scope("complex=v"), "v=1")).isEqualTo("v=1; Secure");
        assertThat(c.rewrite(scope(null), "foobarbaz=1")).isEqualTo("foobarbaz=1; HttpOnly");
    }

    @Test
    void flagsFromVariablesSkipWhatIsNoFlagAndTheNearestLevelsLinesReplaceTheInheritedOnes() throws Exception {
        ProxyCookies c = cookies(FLAGS, "/var/");
        assertThat(c.rewrite(scope("v=a&f1=secure&f2=bogus"), "a=1")).isEqualTo("a=1; Secure");
        assertThat(c.rewrite(scope("v=a&f1=bogus"), "a=1")).isNull();
        assertThat(c.flags()).hasSize(1);
    }

    @Test
    void offStandsAloneAndOneArgumentIsOnlyOff() throws Exception {
        assertThat(error("proxy_cookie_domain a b; proxy_cookie_domain off;"))
                .isEqualTo("\"proxy_cookie_domain\" directive is duplicate");
        assertThat(error("proxy_cookie_path off; proxy_cookie_path a b;"))
                .isEqualTo("\"proxy_cookie_path\" directive is duplicate");
        assertThat(error("proxy_cookie_flags on;")).isEqualTo("invalid parameter \"on\"");
        assertThat(error("proxy_cookie_path ~( /;")).startsWith("invalid regex \"(\"");
        assertThat(error("proxy_cookie_flags a b c d e;")).contains("invalid number of arguments");
    }
}
