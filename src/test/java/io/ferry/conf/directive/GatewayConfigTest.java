package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.gateway.CgiRequest;
import io.ferry.gateway.GatewaySettings;
import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.scgi.ScgiModule;
import io.ferry.testing.ConfigText;
import io.ferry.upstream.NextUpstream;
import io.ferry.uwsgi.UwsgiModule;
import io.ferry.uwsgi.UwsgiSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** uwsgi_* and scgi_* directives: defaults, nginx's inheritance, and its error messages. */
class GatewayConfigTest {
    @TempDir
    Path dir;

    private VirtualServer server(String body) throws Exception {
        return new ConfigText(dir).server(body);
    }

    private String error(String body) throws Exception {
        return new ConfigText(dir).httpError(body).detail();
    }

    private static Location location(VirtualServer vs, String path) {
        return vs.locations().stream().filter(l -> l.path().equals(path)).findFirst().orElseThrow();
    }

    private static UwsgiSettings uwsgi(VirtualServer vs, String path) {
        return location(vs, path).settings().module(UwsgiModule.SETTINGS);
    }

    private static GatewaySettings scgi(VirtualServer vs, String path) {
        return location(vs, path).settings().module(ScgiModule.SETTINGS);
    }

    @Test
    void defaultsAreNginxs() throws Exception {
        VirtualServer vs = server("""
                server {
                    listen 8080;
                    location /u { uwsgi_pass uwsgi://127.0.0.1:9000; }
                    location /s { scgi_pass 127.0.0.1:9001; }
                }
                """);
        UwsgiSettings u = uwsgi(vs, "/u");
        assertThat(u.modifier1()).isZero();
        assertThat(u.modifier2()).isZero();
        assertThat(u.gateway().address()).as("the scheme is not part of the address").isEqualTo("127.0.0.1:9000");
        GatewaySettings s = scgi(vs, "/s");
        for (GatewaySettings g : new GatewaySettings[] {u.gateway(), s}) {
            assertThat(g.passRequestHeaders()).isTrue();
            assertThat(g.passRequestBody()).isTrue();
            assertThat(g.requestBuffering()).isTrue();
            assertThat(g.socketKeepalive()).isFalse();
            assertThat(g.bind()).isNull();
            assertThat(g.interceptErrors()).isFalse();
            assertThat(g.readTimeout()).isEqualTo(Duration.ofSeconds(60));
            assertThat(g.nextUpstream().conditions()).containsExactlyInAnyOrder(NextUpstream.Condition.ERROR,
                    NextUpstream.Condition.TIMEOUT);
            assertThat(g.buffering().on()).isTrue();
            assertThat(g.hiddenHeaders()).contains("x-accel-redirect", "status");
        }
    }

    @Test
    void levelsInheritUntilOneWritesItsOwn() throws Exception {
        VirtualServer vs = server("""
                uwsgi_param A a;
                uwsgi_bind 127.0.0.2;
                uwsgi_modifier1 5;
                scgi_read_timeout 5s;
                scgi_hide_header X-Secret;
                server {
                    listen 8080;
                    location /inherit { uwsgi_pass 127.0.0.1:9000; }
                    location /own {
                        uwsgi_pass 127.0.0.1:9000;
                        uwsgi_param B $uri if_not_empty;
                        uwsgi_modifier2 7;
                        uwsgi_pass_request_headers off;
                        uwsgi_bind off;
                    }
                    location /s {
                        scgi_pass 127.0.0.1:9001;
                        scgi_pass_header Status;
                        scgi_next_upstream error http_503;
                        scgi_next_upstream_tries 2;
                        scgi_buffering off;
                        scgi_request_buffering off;
                        scgi_pass_request_body off;
                        scgi_intercept_errors on;
                        scgi_socket_keepalive on;
                    }
                }
                """);
        assertThat(uwsgi(vs, "/inherit").gateway().params()).extracting(CgiRequest.Param::name).containsExactly("A");
        UwsgiSettings own = uwsgi(vs, "/own");
        assertThat(own.gateway().params()).extracting(CgiRequest.Param::name).containsExactly("B");
        assertThat(own.gateway().params().get(0).ifNotEmpty()).isTrue();
        assertThat(own.modifier1()).isEqualTo(5);
        assertThat(own.modifier2()).isEqualTo(7);
        assertThat(own.gateway().passRequestHeaders()).isFalse();
        assertThat(own.gateway().bind()).as("off cancels the inherited one").isNull();
        assertThat(uwsgi(vs, "/inherit").gateway().bind().text()).isEqualTo("127.0.0.2");
        GatewaySettings s = scgi(vs, "/s");
        assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.hiddenHeaders()).contains("x-secret").doesNotContain("status");
        assertThat(s.nextUpstream().conditions()).containsExactlyInAnyOrder(NextUpstream.Condition.ERROR,
                NextUpstream.Condition.HTTP_503);
        assertThat(s.nextUpstream().tries()).isEqualTo(2);
        assertThat(s.buffering().on()).isFalse();
        assertThat(s.requestBuffering()).isFalse();
        assertThat(s.passRequestBody()).isFalse();
        assertThat(s.interceptErrors()).isTrue();
        assertThat(s.socketKeepalive()).isTrue();
    }

    @Test
    void aPassWithVariablesIsResolvedPerRequest() throws Exception {
        GatewaySettings s = scgi(server("""
                server { listen 8080; location /s { scgi_pass $arg_b; } }
                """), "/s");
        assertThat(s.upstream()).isNull();
        assertThat(s.addressVariables()).isNotNull();
    }

    @Test
    void badValuesAreNamedWithTheirLine() throws Exception {
        assertThat(error("server { listen 8080; location / { uwsgi_pass 127.0.0.1:9000; uwsgi_modifier1 256; } }"))
                .contains("invalid value \"256\"");
        assertThat(error("uwsgi_param A b c;")).contains("invalid parameter \"c\"");
        assertThat(error("scgi_next_upstream http_502;")).contains("invalid value \"http_502\"");
        assertThat(error("scgi_pass_request_body maybe;")).contains("invalid value \"maybe\"");
        assertThat(error("server { listen 8080; location / { scgi_pass 127.0.0.1:9000; proxy_pass http://127.0.0.1:1; } }"))
                .contains("is duplicate");
        assertThat(error("uwsgi_buffers 1 4k;")).contains("there must be at least 2 \"uwsgi_buffers\"");
        assertThat(error("scgi_bind 127.0.0.1 transparent;")).contains("\"transparent\" binding is not supported");
        assertThat(error("scgi_bind localhost;")).contains("invalid local address \"localhost\"");
        assertThat(error("uwsgi_cache_path c keys_zone=u:1m; uwsgi_cache_path d keys_zone=u:1m;"))
                .contains("duplicate zone \"u\"");
        assertThat(error("server { listen 8080; scgi_pass 127.0.0.1:9000; }")).contains("\"scgi_pass\" directive is not allowed here");
    }
}
