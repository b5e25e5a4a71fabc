package io.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.proxy.ProxyModule;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** limit_except through the configuration loader: methods, GET's HEAD, what the block keeps of its location, errors. */
class LimitExceptDirectiveTest {
    @TempDir
    Path dir;

    private static Location location(VirtualServer vs, String path) {
        return vs.locations().stream().filter(l -> l.path().equals(path)).findFirst().orElseThrow();
    }

    private String error(String http) throws Exception {
        return new ConfigText(dir).httpErrorLine(http);
    }

    @Test
    void methodsNotListedGetTheBlocksSettingsAndGetImpliesHead() throws Exception {
        Location l = location(new ConfigText(dir).server("""
                server {
                    location /a { limit_except get POST { deny all; } }
                    location /b { }
                }
                """), "/a");
        assertThat(l.limitExcept().methods()).containsExactlyInAnyOrder("GET", "HEAD", "POST");
        for (String method : new String[] {"GET", "HEAD", "POST"}) {
            assertThat(l.settings(method)).isSameAs(l.settings());
        }
        for (String method : new String[] {"PUT", "DELETE", "OPTIONS", "BREW"}) {
            assertThat(l.settings(method)).isSameAs(l.limitExcept().settings()).isNotSameAs(l.settings());
        }
        assertThat(location(new ConfigText(dir).server("server { location /b { } }"), "/b").limitExcept()).isNull();
    }

    @Test
    void theBlockKeepsTheLocationsProxyPassUnlessItWritesOne() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                server {
                    location /kept { proxy_pass http://127.0.0.1:1/x; limit_except POST { } }
                    location /own { proxy_pass http://127.0.0.1:1/x; limit_except POST { proxy_pass http://127.0.0.1:2; } }
                    location /static { limit_except POST { } }
                }
                """);
        Location kept = location(vs, "/kept");
        assertThat(kept.settings("GET").module(ProxyModule.SETTINGS)).isSameAs(kept.settings().module(ProxyModule.SETTINGS));
        Location own = location(vs, "/own");
        assertThat(own.settings("GET").module(ProxyModule.SETTINGS))
                .isNotNull().isNotSameAs(own.settings().module(ProxyModule.SETTINGS));
        assertThat(location(vs, "/static").settings("GET").module(ProxyModule.SETTINGS)).isNull();
    }

    @Test
    void nestedLocationsDoNotInheritTheBlock() throws Exception {
        Location outer = location(new ConfigText(dir).server("""
                server { location /a { limit_except GET { deny all; } location /a/b { } } }
                """), "/a");
        assertThat(outer.nested().get(0).limitExcept()).isNull();
    }

    @Test
    void errorsNameTheLine() throws Exception {
        assertThat(error("server {\nlocation / {\nlimit_except FETCH { }\n}\n}")).isEqualTo("invalid method \"FETCH\":4");
        assertThat(error("server {\nlocation / {\nlimit_except GET { }\nlimit_except POST { }\n}\n}"))
                .isEqualTo("\"limit_except\" directive is duplicate:5");
        assertThat(error("server {\nlocation / {\nlimit_except GET { root /x; }\n}\n}"))
                .isEqualTo("\"root\" directive is not allowed here:4");
        assertThat(error("server {\nlimit_except GET { }\n}")).isEqualTo("\"limit_except\" directive is not allowed here:3");
        assertThat(error("server {\nlocation / {\nlimit_except GET;\n}\n}"))
                .isEqualTo("directive \"limit_except\" has no opening \"{\":4");
        assertThat(error("server {\nlocation / {\nlimit_except GET { proxy_pass http://127.0.0.1:1/x; }\n}\n}"))
                .contains("proxy_pass");
    }
}
