package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.Listen;
import io.ferry.net.SocketOptions;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** listen's socket parameters: defaults, values, and nginx's errors. */
class ListenParametersConfigTest {
    @TempDir
    Path dir;

    private SocketOptions socket(String listen) throws Exception {
        return new ConfigText(dir).server("server { listen " + listen + "; }").listens().get(0).socket();
    }

    @Test
    void noParametersIsNginxsDefaults() throws Exception {
        SocketOptions o = socket("127.0.0.1:8080");
        assertThat(o).isEqualTo(SocketOptions.DEFAULT);
        assertThat(o.backlog()).isEqualTo(511);
        assertThat(o.bind()).isFalse();
        assertThat(socket("[::]:8080").ipv6only()).as("ipv6only=on by default").isTrue();
    }

    @Test
    void everyParameterIsReadAndImpliesBind() throws Exception {
        SocketOptions o = socket("[::]:8080 ipv6only=off backlog=100 rcvbuf=64k sndbuf=1m reuseport deferred fastopen=0 "
                + "so_keepalive=30m:10:5 http2 default_server");
        assertThat(o).isEqualTo(new SocketOptions(100, 65536, 1048576, false, true, true, 1800, 10, 5, true, 0, true));
        assertThat(socket("127.0.0.1:8080 bind").bind()).isTrue();
        assertThat(socket("8080 so_keepalive=off").keepalive()).isFalse();
        assertThat(socket("8080 so_keepalive=::3")).extracting(SocketOptions::keepalive, SocketOptions::keepidle,
                SocketOptions::keepcnt).containsExactly(true, 0, 3);
    }

    @Test
    void badValuesAreNginxsErrors() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpError("server { listen 8080 backlog=0; }")).hasMessage(c.at("invalid backlog \"0\"", 2));
        assertThat(c.httpError("server { listen 8080 rcvbuf=x; }")).hasMessage(c.at("invalid rcvbuf \"x\"", 2));
        assertThat(c.httpError("server { listen 8080 fastopen=-1; }")).hasMessage(c.at("invalid fastopen \"-1\"", 2));
        assertThat(c.httpError("server { listen 8080 so_keepalive=1:2; }"))
                .hasMessage(c.at("invalid so_keepalive value: \"1:2\"", 2));
        assertThat(c.httpError("server { listen [::]:8080 ipv6only=yes; }"))
                .hasMessage(c.at("invalid ipv6only flags \"yes\"", 2));
        assertThat(c.httpError("server { listen 127.0.0.1:8080 ipv6only=on; }"))
                .hasMessage(c.at("ipv6only is not supported on addr \"127.0.0.1:8080\"", 2));
    }

    @Test
    void proxyProtocolIsAListenParameterMergedPerAddressInHttp() throws Exception {
        ConfigText c = new ConfigText(dir);
        var servers = c.load("http { server { listen 127.0.0.1:8080 proxy_protocol; }\n"
                + "server { listen 127.0.0.1:8080; } }").http().servers();
        assertThat(servers.get(0).listens().get(0).proxyProtocol()).isTrue();
        assertThat(servers.get(1).listens().get(0).proxyProtocol()).isFalse();
        var stream = c.load("stream { server { listen 127.0.0.1:9000 proxy_protocol; proxy_pass 127.0.0.1:9001; } }")
                .stream().servers().get(0);
        assertThat(stream.listens().get(0).proxyProtocol()).isTrue();
        assertThat(stream.proxyProtocolTimeout()).hasSeconds(30);
        assertThat(stream.proxyProtocol()).isFalse();
        assertThat(c.load("stream { proxy_protocol on; server { listen 127.0.0.1:9000; proxy_pass 127.0.0.1:9001; } }")
                .stream().servers().get(0).proxyProtocol()).isTrue();
        assertThat(c.error("stream { server { listen 127.0.0.1:9000; proxy_protocol yes; proxy_pass 127.0.0.1:9001; } }"))
                .hasMessageContaining("it must be \"on\" or \"off\"");
        assertThat(c.load("stream { proxy_protocol_timeout 5s; server { listen 127.0.0.1:9000; proxy_pass 127.0.0.1:9001; } }")
                .stream().servers().get(0).proxyProtocolTimeout()).hasSeconds(5);
        assertThat(c.error("stream { server { listen 127.0.0.1:9000; proxy_protocol_timeout x; proxy_pass 127.0.0.1:9001; } }"))
                .hasMessageContaining("\"proxy_protocol_timeout\" directive invalid value");
    }

    @Test
    void proxyProtocolVariablesExistInStreamToo() throws Exception {
        ConfigText c = new ConfigText(dir);
        c.load("stream { upstream u { hash $proxy_protocol_addr$proxy_protocol_tlv_alpn; server 127.0.0.1:9001; }\n"
                + "server { listen 127.0.0.1:9000; proxy_pass u; } }");
        assertThat(new io.ferry.variable.Variables().resolve("proxy_protocol_server_port")).isNotNull();
    }

    @Test
    void streamListenTakesTheSameParametersButNotHttp2() throws Exception {
        ConfigText c = new ConfigText(dir);
        c.load("stream { server { listen 127.0.0.1:9000 reuseport backlog=5; proxy_pass 127.0.0.1:9001; } }");
        assertThat(c.error("stream { server { listen 127.0.0.1:9000 http2; proxy_pass 127.0.0.1:9001; } }"))
                .hasMessage(c.at("invalid parameter \"http2\"", 1));
    }

    @Test
    void aPortRangeIsOneListenPerPort() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.server("server { listen 127.0.0.1:8182-8184 default_server; }").listens())
                .extracting(Listen::host, Listen::port, Listen::defaultServer)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("127.0.0.1", 8182, true),
                        org.assertj.core.groups.Tuple.tuple("127.0.0.1", 8183, true),
                        org.assertj.core.groups.Tuple.tuple("127.0.0.1", 8184, true));
        assertThat(c.server("server { listen [::1]:80-81; }").listens()).extracting(Listen::port).containsExactly(80, 81);
        assertThat(c.server("server { listen 90-90; }").listens()).extracting(Listen::port).containsExactly(90);
        assertThat(c.httpError("server { listen 127.0.0.1:8183-8182; }"))
                .hasMessage(c.at("invalid port range in \"127.0.0.1:8183-8182\" of the \"listen\" directive", 2));
        assertThat(c.httpError("server { listen 127.0.0.1:8182-70000; }"))
                .hasMessage(c.at("invalid port in \"127.0.0.1:8182-70000\" of the \"listen\" directive", 2));
    }
}
