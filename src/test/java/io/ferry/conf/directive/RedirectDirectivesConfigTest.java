package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.Location;
import io.ferry.model.RedirectStyle;
import io.ferry.model.VirtualServer;
import io.ferry.proxy.ProxyModule;
import io.ferry.testing.ConfigText;
import io.ferry.upstream.Upstream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** absolute_redirect, server_name_in_redirect, port_in_redirect, log_not_found and keepalive_time: defaults, inheritance, errors. */
class RedirectDirectivesConfigTest {
    @TempDir
    Path dir;

    private static Location location(VirtualServer vs, String path) {
        return vs.locations().stream().filter(l -> l.path().equals(path)).findFirst().orElseThrow();
    }

    @Test
    void defaultsAreNginxs() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("server { listen 8080; location / { } }");
        var s = location(vs, "/").settings();
        assertThat(s.redirectStyle()).isEqualTo(new RedirectStyle(true, false, true));
        assertThat(s.logNotFound()).isTrue();
        assertThat(s.clientTimeouts().keepaliveTime()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void inheritedAndOverridden() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                absolute_redirect off; log_not_found off; keepalive_time 10s;
                server { listen 8080; port_in_redirect off;
                    location /a/ { }
                    location /b/ { absolute_redirect on; server_name_in_redirect on; log_not_found on; keepalive_time 1m; }
                }""");
        var a = location(vs, "/a/").settings();
        assertThat(a.redirectStyle()).isEqualTo(new RedirectStyle(false, false, false));
        assertThat(a.logNotFound()).isFalse();
        assertThat(a.clientTimeouts().keepaliveTime()).isEqualTo(Duration.ofSeconds(10));
        var b = location(vs, "/b/").settings();
        assertThat(b.redirectStyle()).isEqualTo(new RedirectStyle(true, true, false));
        assertThat(b.logNotFound()).isTrue();
        assertThat(b.clientTimeouts().keepaliveTime()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void invalidValuesAreRefused() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpError("server { absolute_redirect maybe; }").getMessage())
                .contains("it must be \"on\" or \"off\"");
        assertThat(c.httpError("server { keepalive_time soon; }").getMessage()).contains("invalid value");
        assertThat(c.httpError("server { location / { log_not_found; } }").getMessage())
                .contains("invalid number of arguments");
    }

    @Test
    void slashRedirectOnlyForPassingPrefixLocationsEndingInSlash() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                server { listen 8080;
                    location /p/ { proxy_pass http://127.0.0.1:9; }
                    location /q { proxy_pass http://127.0.0.1:9; }
                    location /s/ { }
                    location ~ ^/r/ { proxy_pass http://127.0.0.1:9; }
                }""");
        assertThat(location(vs, "/p/").slashRedirect()).isTrue();
        assertThat(location(vs, "/q").slashRedirect()).isFalse();
        assertThat(location(vs, "/s/").slashRedirect()).isFalse();
        assertThat(location(vs, "^/r/").slashRedirect()).isFalse();
    }

    @Test
    void upstreamKeepaliveTime() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                upstream u { server 127.0.0.1:9; keepalive 2; keepalive_time 5s; }
                upstream v { server 127.0.0.1:9; }
                server { listen 8080; location /u/ { proxy_pass http://u; } location /v/ { proxy_pass http://v; } }""");
        assertThat(upstream(vs, "/u/").keepaliveTime()).isEqualTo(Duration.ofSeconds(5));
        assertThat(upstream(vs, "/v/").keepaliveTime()).isEqualTo(Duration.ofHours(1));
    }

    private static Upstream upstream(VirtualServer vs, String path) {
        return location(vs, path).settings().module(ProxyModule.SETTINGS).upstream();
    }
}
