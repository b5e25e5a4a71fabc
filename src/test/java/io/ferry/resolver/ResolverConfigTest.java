package io.ferry.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.fastcgi.FastCgiModule;
import io.ferry.fastcgi.FastCgiSettings;
import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.proxy.ProxyModule;
import io.ferry.testing.ConfigText;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** resolver and resolver_timeout, and *_pass with variables: defaults, inheritance and errors. */
class ResolverConfigTest {
    @TempDir
    Path dir;

    private static Location location(VirtualServer vs, String path) {
        return vs.locations().stream().filter(l -> l.path().equals(path)).findFirst().orElseThrow();
    }

    private String error(String httpBody) throws Exception {
        return new ConfigText(dir).httpError(httpBody).detail();
    }

    @Test
    void inheritedWithNginxsDefaultsAndOverriddenWhereWritten() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                resolver 127.0.0.1 [::1]:5353;
                server { listen 8080;
                    location /a { }
                    location /b { resolver 127.0.0.2:53 valid=10s ipv6=off status_zone=z; resolver_timeout 2s; }
                }
                """);
        ResolverSettings a = location(vs, "/a").settings().module(ResolverModule.SETTINGS);
        assertThat(a.servers()).containsExactly(new InetSocketAddress("127.0.0.1", 53), new InetSocketAddress("::1", 5353));
        assertThat(a.valid()).isNull();
        assertThat(a.ipv4()).isTrue();
        assertThat(a.ipv6()).isTrue();
        assertThat(a.timeout()).isEqualTo(Duration.ofSeconds(30));
        ResolverSettings b = location(vs, "/b").settings().module(ResolverModule.SETTINGS);
        assertThat(b.servers()).containsExactly(new InetSocketAddress("127.0.0.2", 53));
        assertThat(b.valid()).isEqualTo(Duration.ofSeconds(10));
        assertThat(b.ipv6()).isFalse();
        assertThat(b.timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void noResolverUnlessWritten() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("server { listen 8080; location /a { } }");
        assertThat(location(vs, "/a").settings().module(ResolverModule.SETTINGS)).isNull();
    }

    @Test
    void badParametersAreRefused() throws Exception {
        assertThat(error("resolver 127.0.0.1 ipv6=maybe;")).isEqualTo("invalid parameter: ipv6=maybe");
        assertThat(error("resolver 127.0.0.1 ipv4=off ipv6=off;")).isEqualTo("\"ipv4\" and \"ipv6\" cannot both be \"off\"");
        assertThat(error("resolver valid=5s;")).isEqualTo("no name servers defined");
        assertThat(error("resolver 127.0.0.1 valid=soon;")).isEqualTo("invalid parameter: valid=soon");
        assertThat(error("resolver_timeout x;")).isEqualTo("\"resolver_timeout\" directive invalid value");
    }

    @Test
    void passWithVariablesKeepsTheUrlForRunTime() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                server { listen 8080;
                    location ~ ^/p { proxy_pass http://$host:8081/x; }
                    location /f { fastcgi_pass $arg_b; }
                }
                """);
        var proxy = location(vs, "^/p").settings().module(ProxyModule.SETTINGS);
        assertThat(proxy.target().url().text()).isEqualTo("http://$host:8081/x");
        assertThat(proxy.target().upstream()).isNull();
        assertThat(proxy.redirects()).isEmpty();
        FastCgiSettings fastcgi = location(vs, "/f").settings().module(FastCgiModule.SETTINGS);
        assertThat(fastcgi.upstream()).isNull();
        assertThat(fastcgi.addressVariables().text()).isEqualTo("$arg_b");
    }

    @Test
    void proxyRedirectDefaultNeedsAUrlWithoutVariables() throws Exception {
        assertThat(error("server { listen 8080; location / { proxy_pass http://$host; proxy_redirect default; } }"))
                .isEqualTo("\"proxy_redirect default\" cannot be used with \"proxy_pass\" directive with variables");
    }
}
