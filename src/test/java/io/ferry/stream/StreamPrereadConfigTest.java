package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssl_preread, preread_buffer_size, preread_timeout and a stream proxy_pass with variables: defaults, inheritance, errors. */
class StreamPrereadConfigTest {
    @TempDir
    Path dir;

    private List<StreamServer> servers(String text) throws Exception {
        return new ConfigText(dir).load(text).stream().servers();
    }

    @Test
    void nginxsDefaultsAndInheritance() throws Exception {
        List<StreamServer> s = servers("""
                stream {
                    ssl_preread on;
                    preread_timeout 5s;
                    server { listen 9000; proxy_pass 127.0.0.1:7000; }
                    server { listen 9001; proxy_pass 127.0.0.1:7000; ssl_preread off; preread_buffer_size 1k; }
                }
                """);
        assertThat(s.get(0).phases().handlers()).as("ssl_preread inherited from stream").hasSize(1);
        assertThat(s.get(0).prereadBufferSize()).isEqualTo(16384);
        assertThat(s.get(0).prereadTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.get(1).phases().handlers()).isEmpty();
        assertThat(s.get(1).prereadBufferSize()).isEqualTo(1024);
        assertThat(servers("stream { server { listen 9000; proxy_pass 127.0.0.1:7000; } }").get(0).prereadTimeout())
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void proxyPassWithVariablesIsFoundPerSession() throws Exception {
        StreamServer s = servers("""
                stream {
                    upstream foo { server 127.0.0.1:7001; }
                    map $ssl_preread_server_name $backend { default foo; }
                    server { listen 9000; proxy_pass $backend; }
                }
                """).get(0);
        assertThat(s.upstream()).isNull();
        assertThat(s.passValue()).isNotNull();
        assertThat(s.passValue().names().find("foo", 0, true)).isNotNull();
    }

    @Test
    void nginxsErrors() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.error("stream { ssl_preread yes; server { listen 9000; proxy_pass 127.0.0.1:7000; } }").getMessage())
                .contains("invalid value \"yes\" in \"ssl_preread\" directive, it must be \"on\" or \"off\"");
        assertThat(c.error("stream { server { listen 9000; proxy_pass 127.0.0.1:7000; preread_timeout soon; } }").getMessage())
                .contains("\"preread_timeout\" directive invalid value");
        assertThat(c.error("stream { server { listen 9000; proxy_pass $nothing; } }").getMessage())
                .contains("unknown \"nothing\" variable");
    }
}
