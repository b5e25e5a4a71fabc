package io.ferry.conf.directive;

import io.ferry.testing.ConfigText;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.FerryConfig;
import io.ferry.stream.StreamServer;
import io.ferry.upstream.Upstream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream block: values built, and errors in nginx's words with file:line. */
class StreamDirectivesTest {
    @TempDir
    Path dir;

    private FerryConfig load(String text) throws Exception {
        return new ConfigText(dir).load(text);
    }

    private String error(String text) throws IOException {
        return new ConfigText(dir).error(text).getMessage();
    }

    private String at(String detail, int line) {
        return new ConfigText(dir).at(detail, line);
    }

    @Test
    void streamServersWithTheirDefaultsAndInheritedValues() throws Exception {
        FerryConfig c = load("""
                stream {
                    proxy_connect_timeout 2s;
                    proxy_half_close on;
                    log_format s "$remote_addr $status $bytes_sent";
                    upstream pool { least_conn; server 127.0.0.1:7001 weight=2; server 127.0.0.1:7002 backup; }
                    upstream sticky { hash $remote_addr consistent; server 127.0.0.1:7003; server 127.0.0.1:7004; }
                    server { listen 127.0.0.1:9000; proxy_pass pool; access_log logs/s.log s; }
                    server { listen 9001; proxy_pass sticky; proxy_timeout 30s; proxy_next_upstream off; proxy_next_upstream_tries 3; }
                    server { listen [::1]:9002; proxy_pass 127.0.0.1:7005; proxy_half_close off; }
                }
                """);
        assertThat(c.stream().servers()).hasSize(3);
        StreamServer a = c.stream().servers().get(0);
        assertThat(a.listens().get(0).socketKey()).isEqualTo("127.0.0.1:9000");
        assertThat(a.upstream().balance()).isEqualTo(Upstream.Balance.LEAST_CONN);
        assertThat(a.upstream().servers()).hasSize(2);
        assertThat(a.upstream().servers().get(1).backup()).isTrue();
        assertThat(a.proxyTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(a.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(a.nextUpstream()).isTrue();
        assertThat(a.halfClose()).as("inherited from stream").isTrue();
        assertThat(c.stream().servers().get(2).halfClose()).isFalse();
        assertThat(load("stream { server { listen 9003; proxy_pass 127.0.0.1:7006; } }").stream().servers().get(0).halfClose())
                .as("nginx's default").isFalse();
        assertThat(a.accessLogs()).hasSize(1);
        assertThat(a.accessLogs().get(0).path()).isEqualTo(dir.resolve("logs/s.log"));
        StreamServer b = c.stream().servers().get(1);
        assertThat(b.listens().get(0).host()).isNull();
        assertThat(b.upstream().balance()).isEqualTo(Upstream.Balance.HASH);
        assertThat(b.upstream().consistent()).isTrue();
        assertThat(b.proxyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(b.nextUpstream()).isFalse();
        assertThat(b.nextUpstreamTries()).isEqualTo(3);
        assertThat(b.accessLogs()).isEmpty();
        assertThat(c.stream().servers().get(2).upstream().servers().get(0).addressText()).isEqualTo("127.0.0.1:7005");
    }

    @Test
    void proxyHalfCloseIsAFlag() throws Exception {
        assertThat(error("""
                stream {
                    server { listen 9000; proxy_pass 127.0.0.1:7000; proxy_half_close yes; }
                }
                """)).contains("invalid value \"yes\" in \"proxy_half_close\" directive, it must be \"on\" or \"off\"");
    }

    @Test
    void serverWithoutListenOrProxyPass() throws Exception {
        assertThat(error("""
                stream {
                    server {
                        proxy_pass 127.0.0.1:7000;
                    }
                }
                """)).isEqualTo(at("no \"listen\" is defined for server", 2));
        assertThat(error("""
                stream {
                    server { listen 9000; }
                }
                """)).isEqualTo(at("no handler for server", 2));
    }

    @Test
    void addressesNeedPorts() throws Exception {
        assertThat(error("""
                stream {
                    server { listen 9000; proxy_pass backend; }
                }
                """)).isEqualTo(at("no port in upstream \"backend\"", 2));
        assertThat(error("""
                stream {
                    upstream b {
                        server 127.0.0.1;
                    }
                }
                """)).isEqualTo(at("no port in upstream \"127.0.0.1\"", 3));
        assertThat(error("""
                stream {
                    server { listen 127.0.0.1; proxy_pass 127.0.0.1:7000; }
                }
                """)).isEqualTo(at("no port in \"127.0.0.1\" of the \"listen\" directive", 2));
    }

    @Test
    void streamHasItsOwnDirectivesAndVariables() throws Exception {
        assertThat(error("""
                stream {
                    upstream b {
                        ip_hash;
                        server 127.0.0.1:7000;
                    }
                }
                """)).isEqualTo(at("\"ip_hash\" directive is not allowed here", 3));
        assertThat(error("""
                stream {
                    server { listen 9000; proxy_pass 127.0.0.1:7000;
                        location / { }
                    }
                }
                """)).isEqualTo(at("\"location\" directive is not allowed here", 3));
        assertThat(error("""
                stream {
                    log_format bad "$remote_addr $uri";
                }
                """)).isEqualTo(at("unknown \"uri\" variable", 2));
        assertThat(error("""
                http {
                    server { listen 8080; proxy_timeout 5s; }
                }
                """)).isEqualTo(at("\"proxy_timeout\" directive is not allowed here", 2));
    }

    @Test
    void valuesAreCheckedInNginxsWords() throws Exception {
        assertThat(error("""
                stream {
                    server { listen 9000; proxy_pass 127.0.0.1:7000;
                        proxy_timeout soon;
                    }
                }
                """)).isEqualTo(at("\"proxy_timeout\" directive invalid value", 3));
        assertThat(error("""
                stream {
                    proxy_next_upstream maybe;
                    server { listen 9000; proxy_pass 127.0.0.1:7000; }
                }
                """)).isEqualTo(at("invalid value \"maybe\" in \"proxy_next_upstream\" directive, it must be \"on\" or \"off\"", 2));
        assertThat(error("""
                stream {
                    server { listen 9000 udp ssl; proxy_pass 127.0.0.1:7000; }
                }
                """)).isEqualTo(at("\"ssl\" parameter is incompatible with \"udp\"", 2));
        assertThat(error("""
                stream {
                    server { listen 9000; proxy_pass 127.0.0.1:7000; }
                    server { listen 9000; proxy_pass 127.0.0.1:7001; }
                }
                """)).isEqualTo(at("duplicate \"0.0.0.0:9000\" address and port pair", 3));
    }

    @Test
    void accessLogNeedsAKnownFormat() throws Exception {
        assertThat(error("""
                stream {
                    server { listen 9000; proxy_pass 127.0.0.1:7000;
                        access_log logs/s.log;
                    }
                }
                """)).isEqualTo(at("log format is not specified", 3));
        assertThat(error("""
                stream {
                    server { listen 9000; proxy_pass 127.0.0.1:7000;
                        access_log logs/s.log combined;
                    }
                }
                """)).isEqualTo(at("unknown log format \"combined\"", 3));
    }

    @Test
    void sslListenNeedsACertificate() throws Exception {
        assertThat(error("""
                stream {
                    server {
                        listen 9443 ssl;
                        proxy_pass 127.0.0.1:7000;
                    }
                }
                """)).isEqualTo(at("no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive", 2));
    }
}
