package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.model.HttpConfig;
import io.ferry.model.VirtualServer;
import io.ferry.net.SocketPlan;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which sockets the listen lines of a configuration bind, and which servers answer on each local
 * address (nginx's rules: a wildcard listen on a port takes the whole port, the connection's local
 * address then picks the servers; default_server or the first server is the default; SNI maps
 * names to each server's certificate). Planning binds nothing, so fixed port numbers are safe.
 */
class SocketPlanTest {
    @TempDir
    Path dir;

    private Map<String, SocketPlan<Site>> plan(String httpBody) throws Exception {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, "http {\n" + httpBody + "\n}\n");
        HttpConfig http = ConfigLoader.load(dir, conf, null).config().http();
        return Site.plan(http);
    }

    private static InetSocketAddress local(String ip) {
        return new InetSocketAddress(ip, 1);
    }

    private static String name(VirtualServer vs) {
        return vs.primaryName();
    }

    @Test
    void specificAddressesOnAPortGetASocketEach() throws Exception {
        Map<String, SocketPlan<Site>> plans = plan("""
                server { listen 127.0.0.1:8001; server_name one; }
                server { listen 127.0.0.2:8001; server_name two; }
                server { listen 127.0.0.1:8002; server_name three; }
                """);
        assertThat(plans.keySet()).containsExactly("127.0.0.1:8001", "127.0.0.2:8001", "127.0.0.1:8002");
        assertThat(plans.get("127.0.0.2:8001").bind()).isEqualTo(new InetSocketAddress("127.0.0.2", 8001));
        assertThat(name(plans.get("127.0.0.1:8001").siteFor(local("127.0.0.1")).selector().defaultServer())).isEqualTo("one");
        assertThat(name(plans.get("127.0.0.2:8001").siteFor(local("127.0.0.2")).selector().defaultServer())).isEqualTo("two");
        assertThat(plans.get("127.0.0.1:8001").siteFor(local("127.0.0.1")).selector().servers()).hasSize(1);
    }

    @Test
    void aWildcardTakesThePortAndTheLocalAddressPicksTheServers() throws Exception {
        Map<String, SocketPlan<Site>> plans = plan("""
                server { listen 8003; server_name any; }
                server { listen 127.0.0.1:8003; server_name loopback; }
                server { listen *:8003; server_name star; }
                """);
        assertThat(plans.keySet()).containsExactly("*:8003");
        SocketPlan<Site> p = plans.get("*:8003");
        assertThat(p.bind()).isEqualTo(new InetSocketAddress("0.0.0.0", 8003));
        Site loopback = p.siteFor(local("127.0.0.1"));
        assertThat(loopback.selector().servers()).extracting(SocketPlanTest::name).containsExactly("loopback");
        Site other = p.siteFor(local("127.0.0.5"));
        assertThat(other.selector().servers()).extracting(SocketPlanTest::name).containsExactly("any", "star");
        assertThat(name(other.selector().defaultServer())).isEqualTo("any");
        assertThat(loopback.secure()).isFalse();
    }

    @Test
    void v4AndV6WildcardsShareOneDualStackSocketWithIpv6onlyOff() throws Exception {
        Map<String, SocketPlan<Site>> plans = plan("""
                server { listen 8004; listen [::]:8004 ipv6only=off; server_name both; }
                """);
        assertThat(plans.keySet()).containsExactly("*:8004");
        InetSocketAddress bind = plans.get("*:8004").bind();
        assertThat(bind.getAddress()).isInstanceOf(Inet6Address.class);
        assertThat(bind.getAddress().isAnyLocalAddress()).isTrue();
        assertThat(bind.getPort()).isEqualTo(8004);
        assertThat(plans.get("*:8004").siteFor(local("::1")).selector().servers()).hasSize(1);
    }

    @Test
    void theIpv6WildcardIsASocketOfItsOwnAsInNginx() throws Exception {
        Map<String, SocketPlan<Site>> plans = plan("""
                server { listen 8007; listen [::]:8007; server_name both; }
                """);
        assertThat(plans.keySet()).containsExactly("*:8007", "[::]:8007");
        assertThat(plans.get("*:8007").bind()).isEqualTo(new InetSocketAddress("0.0.0.0", 8007));
        assertThat(plans.get("[::]:8007").options().ipv6only()).isTrue();
    }

    @Test
    void bindOrASocketParameterGivesAnAddressItsOwnSocketBesideTheWildcard() throws Exception {
        Map<String, SocketPlan<Site>> plans = plan("""
                server { listen 8008; server_name any; }
                server { listen 127.0.0.1:8008 bind; server_name bound; }
                server { listen 127.0.0.2:8008 backlog=10; server_name tuned; }
                server { listen 127.0.0.3:8008; server_name shared; }
                """);
        assertThat(plans.keySet()).containsExactly("*:8008", "127.0.0.1:8008", "127.0.0.2:8008");
        assertThat(plans.get("127.0.0.2:8008").options().backlog()).isEqualTo(10);
        assertThat(name(plans.get("127.0.0.1:8008").siteFor(local("127.0.0.1")).selector().defaultServer())).isEqualTo("bound");
    }

    @Test
    void onlyOneListenOfAnAddressMaySetItsSocketParameters() {
        assertThatThrownBy(() -> plan("""
                server { listen 127.0.0.1:8009 backlog=10; server_name a; }
                server { listen 127.0.0.1:8009 reuseport; server_name b; }
                """)).hasMessageContaining("duplicate listen options for 127.0.0.1:8009");
    }

    @Test
    void anIpv6AddressHasOneSpellingAndPrintsAsInNginx() throws Exception {
        Map<String, SocketPlan<Site>> plans = plan("""
                server { listen 8010; server_name any; }
                server { listen [0:0::1]:8010; server_name v6; }
                """);
        assertThat(name(plans.get("*:8010").siteFor(local("::1")).selector().defaultServer())).isEqualTo("v6");
        assertThat(io.ferry.variable.SocketText.address(new InetSocketAddress("::1", 80))).isEqualTo("::1");
    }

    @Test
    void defaultServerWinsOverTheFirstServerOfItsAddress() throws Exception {
        Map<String, SocketPlan<Site>> plans = plan("""
                server { listen 127.0.0.1:8005; server_name first; }
                server { listen 127.0.0.1:8005 default_server; server_name chosen; }
                server { listen 127.0.0.1:8006; server_name alone; }
                server { listen 127.0.0.1:8006; server_name second; }
                """);
        assertThat(name(plans.get("127.0.0.1:8005").siteFor(local("127.0.0.1")).selector().defaultServer())).isEqualTo("chosen");
        assertThat(name(plans.get("127.0.0.1:8006").siteFor(local("127.0.0.1")).selector().defaultServer())).isEqualTo("alone");
    }

    @Test
    void sniMapsEachNameToItsServersCertificateAndAnyOtherNameToTheDefaultServers() throws Exception {
        String tls = "ssl_self_signed on; ssl_certificate %1$s/%2$s.crt; ssl_certificate_key %1$s/%2$s.key;";
        Map<String, SocketPlan<Site>> plans = plan(
                "server { listen 127.0.0.1:8443 ssl; server_name a.example; " + String.format(tls, dir, "a") + " }\n"
                + "server { listen 127.0.0.1:8443 ssl default_server; server_name b.example *.wild.example; "
                + String.format(tls, dir, "b") + " }\n"
                + "server { listen 127.0.0.1:8443 ssl; server_name c.example; " + String.format(tls, dir, "a") + " }\n"
                + "server { listen 127.0.0.1:8080; server_name plain; }\n");
        Site secure = plans.get("127.0.0.1:8443").siteFor(local("127.0.0.1"));
        assertThat(secure.secure()).isTrue();
        Mapping<String, SslContext> sni = secure.sni();
        SslContext a = sni.map("a.example");
        SslContext b = sni.map("b.example");
        assertThat(a).isNotNull().isNotSameAs(b);
        assertThat(sni.map("x.wild.example")).isSameAs(b);
        assertThat(sni.map("unknown.example")).as("default_server's certificate").isSameAs(b);
        assertThat(sni.map("c.example")).as("same certificate files, same context").isSameAs(a);
        assertThat(plans.get("127.0.0.1:8080").siteFor(local("127.0.0.1")).secure()).isFalse();
        assertThat(plans.get("127.0.0.1:8080").siteFor(local("127.0.0.1")).sni()).isNull();
    }

    @Test
    void sslOnAnyListenOfASocketMakesTheSocketTls() throws Exception {
        String tls = String.format("ssl_self_signed on; ssl_certificate %1$s/s.crt; ssl_certificate_key %1$s/s.key;", dir);
        Map<String, SocketPlan<Site>> plans = plan(
                "server { listen 127.0.0.1:8444; server_name plain; " + tls + " }\n"
                + "server { listen 127.0.0.1:8444 ssl; server_name secure; " + tls + " }\n");
        assertThat(plans.get("127.0.0.1:8444").siteFor(local("127.0.0.1")).secure()).isTrue();
    }
}
