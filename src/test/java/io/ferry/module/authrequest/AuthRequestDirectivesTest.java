package io.ferry.module.authrequest;

import io.ferry.testing.ConfigText;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.Location;
import io.ferry.model.LocationSettings;
import io.ferry.model.VirtualServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auth_request and auth_request_set through the configuration loader: levels, inheritance, "off", nginx's errors. */
class AuthRequestDirectivesTest {
    @TempDir
    Path dir;

    private VirtualServer server(String http) throws Exception {
        return new ConfigText(dir).server(http);
    }

    private String error(String http) throws Exception {
        return new ConfigText(dir).httpErrorLine(http);
    }

    private static AuthRequestSettings at(VirtualServer vs, String path) {
        for (Location l : vs.locations()) {
            if (l.path().equals(path)) {
                return l.settings().module(AuthRequestModule.SETTINGS);
            }
        }
        throw new AssertionError("no location " + path);
    }

    @Test
    void inheritedUntilAnInnerLevelSaysOff() throws Exception {
        VirtualServer vs = server("""
                auth_request /auth;
                auth_request_set $user $upstream_http_x_user;
                server {
                    location /a { }
                    location /b { auth_request off; }
                    location /c { auth_request /other; auth_request_set $group "g"; }
                }
                """);
        assertThat(at(vs, "/a").uri()).isEqualTo("/auth");
        assertThat(at(vs, "/a").assignments()).extracting(AuthRequestSettings.Assignment::name).containsExactly("user");
        assertThat(at(vs, "/b").uri()).isNull();
        assertThat(at(vs, "/c").uri()).isEqualTo("/other");
        assertThat(at(vs, "/c").assignments()).extracting(AuthRequestSettings.Assignment::name).containsExactly("group");
        LocationSettings fallback = vs.fallback();
        assertThat(fallback.module(AuthRequestModule.SETTINGS).uri()).isEqualTo("/auth");
    }

    @Test
    void anAssignedVariableMayBeUsedBeforeTheLineThatAssignsIt() throws Exception {
        server("""
                server {
                    location /a { add_header X-User $user; auth_request /auth; auth_request_set $user "u"; }
                }
                """);
    }

    @Test
    void nginxErrors() throws Exception {
        assertThat(error("server { location / { auth_request_set user x; } }"))
                .isEqualTo("invalid variable name \"user\":2");
        assertThat(error("server { location / { auth_request /a /b; } }"))
                .isEqualTo("invalid number of arguments in \"auth_request\" directive:2");
        assertThat(error("server { location / { auth_request /a; auth_request /b; } }"))
                .isEqualTo("\"auth_request\" directive is duplicate:2");
    }
}
