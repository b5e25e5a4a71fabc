package io.ferry.module.access;

import io.ferry.testing.ConfigText;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.conf.ConfException;
import io.ferry.conf.directive.ConfigLoader;
import io.ferry.model.Location;
import io.ferry.model.LocationSettings;
import io.ferry.model.VirtualServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** allow/deny and satisfy through the configuration loader: values per level, inheritance and nginx's errors. */
class AccessDirectivesTest {
    @TempDir
    Path dir;

    private VirtualServer server(String http) throws Exception {
        return new ConfigText(dir).server(http);
    }

    /** The error's text and line, "DETAIL:LINE". */
    private String error(String http) throws Exception {
        ConfigText text = new ConfigText(dir);
        ConfException e = text.httpError(http);
        assertThat(e.file()).isEqualTo(text.file().toString());
        return e.detail() + ":" + e.line();
    }

    private static LocationSettings location(VirtualServer vs, String path) {
        return ConfigText.location(vs, path).settings();
    }

    private static List<String> rules(LocationSettings s) {
        return s.module(AccessModule.RULES).stream()
                .map(r -> (r.allow() ? "allow " : "deny ") + (r.network() == null ? "all" : address(r) + "/" + r.prefixLength()))
                .toList();
    }

    private static String address(AccessRule r) {
        try {
            return InetAddress.getByAddress(r.network()).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void satisfyIsAllUnlessWrittenAndIsInheritedInward() throws Exception {
        VirtualServer plain = server("server { listen 8080; location / { } }");
        assertThat(plain.fallback().satisfyAny()).isFalse();
        assertThat(location(plain, "/").satisfyAny()).isFalse();

        VirtualServer vs = server("""
                satisfy any;
                server {
                    listen 8080;
                    location /inherits { }
                    location /all { satisfy all; }
                    location /nested { satisfy all; location /nested/inner { } }
                }
                """);
        assertThat(vs.fallback().satisfyAny()).isTrue();
        assertThat(location(vs, "/inherits").satisfyAny()).isTrue();
        assertThat(location(vs, "/all").satisfyAny()).isFalse();
        Location nested = vs.locations().stream().filter(l -> l.path().equals("/nested")).findFirst().orElseThrow();
        assertThat(nested.nested().get(0).settings().satisfyAny()).isFalse();
    }

    @Test
    void aServerSatisfyOverridesHttps() throws Exception {
        VirtualServer vs = server("satisfy all;\nserver { listen 8080; satisfy any; location / { } }");
        assertThat(location(vs, "/").satisfyAny()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            satisfy some;                                     | invalid value "some":4
            satisfy all any;                                  | invalid number of arguments in "satisfy" directive:4
            location / { if ($arg_a) { satisfy any; } }       | "satisfy" directive is not allowed here:4
            allow 10.0.0.0/33;                                | invalid parameter "10.0.0.0/33":4
            deny ::1/129;                                     | invalid parameter "::1/129":4
            deny example.com;                                 | invalid parameter "example.com":4
            allow;                                            | invalid number of arguments in "allow" directive:4
            location / { if ($arg_a) { deny all; } }          | "deny" directive is not allowed here:4
            """)
    void nginxsErrors(String line, String expected) throws Exception {
        assertThat(error("server {\n listen 8080;\n " + line + "\n}")).isEqualTo(expected);
    }

    @Test
    void satisfyIsNotAllowedOutsideHttp() throws Exception {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, "satisfy any;\nhttp { server { listen 8080; } }\n");
        ConfException e = catchThrowableOfType(ConfException.class, () -> ConfigLoader.load(dir, conf, null));
        assertThat(e.detail()).isEqualTo("\"satisfy\" directive is not allowed here");
        assertThat(e.line()).isEqualTo(1);
    }

    @Test
    void allowAndDenyFormOneListFromTheNearestLevelThatWritesEither() throws Exception {
        VirtualServer vs = server("""
                deny 192.0.2.1;
                server {
                    listen 8080;
                    allow 10.0.0.0/8;
                    deny 10.1.0.0/16;
                    allow ::1;
                    deny all;
                    location /inherits { }
                    location /own { allow 127.0.0.1; }
                }
                """);
        assertThat(rules(vs.fallback())).containsExactly("allow 10.0.0.0/8", "deny 10.1.0.0/16", "allow 0:0:0:0:0:0:0:1/128", "deny all");
        assertThat(rules(location(vs, "/inherits"))).isEqualTo(rules(vs.fallback()));
        // one allow replaces the whole inherited list, denies too: nginx keeps allow and deny in one array
        assertThat(rules(location(vs, "/own"))).containsExactly("allow 127.0.0.1/32");

        VirtualServer fromHttp = server("deny 192.0.2.1;\nserver { listen 8080; location / { } }");
        assertThat(rules(location(fromHttp, "/"))).containsExactly("deny 192.0.2.1/32");
        assertThat(rules(server("server { listen 8080; }").fallback())).isEmpty();
    }
}
