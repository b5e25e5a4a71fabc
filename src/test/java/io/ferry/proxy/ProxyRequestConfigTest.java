package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy_method, proxy_pass_request_*, proxy_set_body and proxy_redirect: defaults, inheritance and errors. */
class ProxyRequestConfigTest {
    @TempDir
    Path dir;

    private ProxySettings proxy(String httpBody, String path) throws Exception {
        VirtualServer vs = new ConfigText(dir).server(httpBody);
        return find(vs.locations(), path).settings().module(ProxyModule.SETTINGS);
    }

    private static Location find(List<Location> locations, String path) {
        for (Location l : locations) {
            if (l.path().equals(path)) {
                return l;
            }
            if (path.startsWith(l.path())) {
                return find(l.nested(), path);
            }
        }
        throw new AssertionError("no location " + path);
    }

    private String error(String httpBody) throws Exception {
        return new ConfigText(dir).httpError(httpBody).detail();
    }

    private static List<String> rules(ProxySettings p) {
        return p.redirects().stream().map(r -> r instanceof ProxyRedirect.Prefix t
                ? t.pattern().text() + " -> " + t.replacement().text()
                : "~" + ((ProxyRedirect.Match) r).regex().pattern().pattern() + " -> " + ((ProxyRedirect.Match) r).replacement().text())
                .toList();
    }

    @Test
    void defaultsKeepTheClientsRequestAndRedirectFromTheProxyPassUrl() throws Exception {
        String conf = """
                server { listen 8080;
                    location /a/ { proxy_pass http://127.0.0.1:8081/b/; }
                    location /c/ { proxy_pass http://127.0.0.1:8081; }
                }
                """;
        ProxySettings a = proxy(conf, "/a/");
        assertThat(a.method()).isNull();
        assertThat(a.passRequestHeaders()).isTrue();
        assertThat(a.passRequestBody()).isTrue();
        assertThat(a.body()).isNull();
        assertThat(rules(a)).containsExactly("http://127.0.0.1:8081/b/ -> /a/");
        assertThat(rules(proxy(conf, "/c/"))).containsExactly("http://127.0.0.1:8081/ -> /");
    }

    @Test
    void valuesAreInheritedAndALevelsOwnRedirectLinesReplaceTheInheritedOnes() throws Exception {
        String conf = """
                proxy_method $arg_m;
                proxy_pass_request_headers off;
                proxy_set_body "x=$uri";
                server { listen 8080;
                    proxy_redirect off;
                    location /off/ { proxy_pass http://127.0.0.1:8081/; proxy_pass_request_body off;
                        location /off/on/ { proxy_pass http://127.0.0.1:8081;
                            proxy_redirect http://u/ /;
                            proxy_redirect ~*^(.+)/re $1/x;
                            proxy_redirect default;
                            location /off/on/deeper/ { proxy_pass http://127.0.0.1:8081/deep/; }
                        }
                    }
                }
                """;
        ProxySettings off = proxy(conf, "/off/");
        assertThat(off.method().text()).isEqualTo("$arg_m");
        assertThat(off.passRequestHeaders()).isFalse();
        assertThat(off.passRequestBody()).isFalse();
        assertThat(off.body().text()).isEqualTo("x=$uri");
        assertThat(off.redirects()).isEmpty();
        assertThat(rules(proxy(conf, "/off/on/"))).containsExactly("http://u/ -> /", "~^(.+)/re -> $1/x",
                "http://127.0.0.1:8081/ -> /");
        // an inherited "default" is read against the inheriting location's proxy_pass
        assertThat(rules(proxy(conf, "/off/on/deeper/"))).last().isEqualTo("http://127.0.0.1:8081/deep/ -> /off/on/deeper/");
    }

    @Test
    void nginxErrors() throws Exception {
        assertThat(error("server { listen 8080; proxy_redirect default; }"))
                .startsWith("\"proxy_redirect default\" should be placed after the \"proxy_pass\" directive");
        assertThat(error("server { listen 8080; location / { proxy_redirect default; proxy_pass http://127.0.0.1:1; } }"))
                .startsWith("\"proxy_redirect default\" should be placed after the \"proxy_pass\" directive");
        assertThat(error("server { listen 8080; proxy_redirect off; proxy_redirect / /x/; }"))
                .startsWith("\"proxy_redirect\" directive is duplicate");
        assertThat(error("server { listen 8080; proxy_redirect / /x/; proxy_redirect off; }"))
                .startsWith("\"proxy_redirect\" directive is duplicate");
        assertThat(error("server { listen 8080; proxy_redirect on; }")).startsWith("invalid parameter \"on\"");
        assertThat(error("server { listen 8080; proxy_redirect ~( /; }")).startsWith("invalid regex \"(\"");
        assertThat(error("server { listen 8080; proxy_pass_request_body maybe; }")).contains("\"maybe\"");
        assertThat(error("proxy_method GET; proxy_method POST;")).contains("is duplicate");
    }
}
