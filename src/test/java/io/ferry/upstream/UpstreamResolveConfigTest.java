package io.ferry.upstream;

import static io.ferry.testing.ConfigText.location;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.proxy.ProxyModule;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `server ... resolve` and `service=`, resolver in an upstream block: what a group gets, and nginx's errors. */
class UpstreamResolveConfigTest {
    @TempDir
    Path dir;

    private Upstream upstream(String http) throws Exception {
        return location(new ConfigText(dir).server(http + "\nserver { listen 8080; location / { proxy_pass http://u; } }"),
                "/").settings().module(ProxyModule.SETTINGS).upstream();
    }

    private String error(String http) throws Exception {
        return new ConfigText(dir).httpError(http).getMessage();
    }

    private String errorAt(String http) throws Exception {
        return new ConfigText(dir).httpErrorAt(http);
    }

    @Test
    void aResolvedNameIsLeftForRunTimeWithTheLinesParameters() throws Exception {
        Upstream u = upstream("""
                resolver 127.0.0.1:5353 valid=5s ipv6=off;
                resolver_timeout 3s;
                upstream u { zone z 64k; server 127.0.0.1:81; server app.test:8080 resolve weight=2 max_fails=3 backup; }""");
        assertThat(u.servers()).extracting(UpstreamServer::addressText).containsExactly("127.0.0.1:81");
        assertThat(u.resolve()).hasSize(1);
        ResolvedName n = u.resolve().get(0);
        assertThat(n.host()).isEqualTo("app.test");
        assertThat(n.port()).isEqualTo(8080);
        assertThat(n.query()).isEqualTo("app.test");
        assertThat(n.template().weight()).isEqualTo(2);
        assertThat(n.template().maxFails()).isEqualTo(3);
        assertThat(n.template().backup()).isTrue();
        assertThat(u.resolver().valid()).isEqualTo(Duration.ofSeconds(5));
        assertThat(u.resolver().ipv6()).isFalse();
        assertThat(u.resolver().timeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void theBlocksOwnResolverWinsAndPortDefaultsTo80() throws Exception {
        Upstream u = upstream("""
                resolver 127.0.0.1:5353;
                upstream u { zone z 64k; resolver 127.0.0.2 ipv4=off; resolver_timeout 7s; server app.test resolve; }""");
        assertThat(u.resolver().servers()).extracting(a -> a.getHostString() + ":" + a.getPort())
                .containsExactly("127.0.0.2:53");
        assertThat(u.resolver().ipv4()).isFalse();
        assertThat(u.resolver().timeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(u.resolve().get(0).port()).isEqualTo(80);
    }

    @Test
    void serviceNamesAreBuiltAsNginxBuildsThem() throws Exception {
        Upstream u = upstream("""
                resolver 127.0.0.1:5353;
                upstream u { zone z 64k; server svc.test service=http resolve; server other.test service=_x._udp resolve; }""");
        assertThat(u.resolve()).extracting(ResolvedName::query).containsExactly("_http._tcp.svc.test", "_x._udp.other.test");
    }

    @Test
    void anAddressWithResolveNeedsNoZone() throws Exception {
        Upstream u = upstream("upstream u { server 127.0.0.1:81 resolve; }");
        assertThat(u.resolve()).isEmpty();
        assertThat(u.servers()).extracting(UpstreamServer::addressText).containsExactly("127.0.0.1:81");
        assertThat(u.resolver()).isNull();
    }

    @Test
    void withoutAZoneOrAResolverItIsRefusedWithNginxsMessage() throws Exception {
        String conf = dir.resolve("ferry.conf").toString();
        assertThat(error("resolver 127.0.0.1;\nupstream u {\n server app.test:80 resolve;\n}"))
                .isEqualTo("resolving names at run time requires upstream \"u\" in " + conf + ":3 to be in shared memory");
        assertThat(error("upstream u {\n zone z 64k;\n server app.test:80 resolve;\n}"))
                .isEqualTo("no resolver defined to resolve names at run time in upstream \"u\" in " + conf + ":2");
    }

    @Test
    void badServiceLinesAreRefusedAsNginxDoes() throws Exception {
        String head = "resolver 127.0.0.1;\nupstream u {\n zone z 64k;\n";
        assertThat(errorAt(head + " server svc.test service=http;\n}"))
                .isEqualTo("service upstream \"svc.test\" requires \"resolve\" parameter:4");
        assertThat(errorAt(head + " server svc.test:80 service=http resolve;\n}"))
                .isEqualTo("service upstream \"svc.test:80\" may not have port:4");
        assertThat(errorAt(head + " server 127.0.0.1 service=http resolve;\n}"))
                .isEqualTo("service upstream \"127.0.0.1\" requires domain name:4");
        assertThat(errorAt(head + " server svc.test service= resolve;\n}")).isEqualTo("service is empty:4");
        assertThat(errorAt(head + " server svc.test resolve=yes;\n}")).isEqualTo("invalid parameter \"resolve=yes\":4");
        assertThat(errorAt(head + " resolver_timeout never;\n server app.test:80 resolve;\n}"))
                .startsWith("\"resolver_timeout\" directive invalid value");
    }

    @Test
    void streamUpstreamsResolveWithTheirOwnResolver() throws Exception {
        new ConfigText(dir).load("""
                stream {
                    upstream u { zone z 64k; resolver 127.0.0.1:5353; server app.test:9000 resolve; }
                    server { listen 9001; proxy_pass u; }
                }
                """);
        String conf = dir.resolve("ferry.conf").toString();
        assertThat(new ConfigText(dir).error("""
                stream {
                    upstream u { zone z 64k; server app.test:9000 resolve; }
                    server { listen 9001; proxy_pass u; }
                }
                """).getMessage()).isEqualTo("no resolver defined to resolve names at run time in upstream \"u\" in "
                + conf + ":2");
    }
}
