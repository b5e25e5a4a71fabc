package io.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.fastcgi.FastCgiModule;
import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.proxy.ProxyModule;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy_buffering and fastcgi_buffering with their family: defaults, inheritance and nginx's checks. */
class BufferSettingsConfigTest {
    @TempDir
    Path dir;

    private Location location(String httpBody, String path) throws Exception {
        VirtualServer vs = new ConfigText(dir).server(httpBody);
        return vs.locations().stream().filter(l -> l.path().equals(path)).findFirst().orElseThrow();
    }

    private BufferSettings proxy(String httpBody, String path) throws Exception {
        return location(httpBody, path).settings().module(ProxyModule.SETTINGS).buffering();
    }

    private String error(String httpBody) throws Exception {
        return new ConfigText(dir).httpError(httpBody).detail();
    }

    @Test
    void defaultsAreNginxs() throws Exception {
        BufferSettings b = proxy("server { listen 8080; location / { proxy_pass http://127.0.0.1:8081; } }", "/");
        assertThat(b.on()).isTrue();
        assertThat(b.memory()).isEqualTo(8 * 8192);
        assertThat(b.busy()).isEqualTo(16384);
        assertThat(b.tempWriteSize()).isEqualTo(16384);
        assertThat(b.maxTempFile()).isEqualTo(1024L << 20);
        assertThat(b.tempPath().dir()).isEqualTo(dir.resolve("proxy_temp"));
        assertThat(b.tempPath().levels()).isEmpty();
        assertThat(b.ignored()).isEmpty();
        assertThat(b.ignoreClientAbort()).isFalse();
    }

    @Test
    void valuesAreInheritedAndOverridden() throws Exception {
        String conf = """
                proxy_buffering off;
                proxy_buffers 4 1k;
                proxy_buffer_size 1k;
                proxy_temp_path /tmp/t 1 2;
                proxy_ignore_headers X-Accel-Buffering expires;
                proxy_ignore_client_abort on;
                server { listen 8080;
                    location /a { proxy_pass http://127.0.0.1:8081; }
                    location /b { proxy_buffering on; proxy_max_temp_file_size 0; proxy_busy_buffers_size 1k;
                                  proxy_pass http://127.0.0.1:8081; }
                }
                """;
        BufferSettings a = proxy(conf, "/a");
        assertThat(a.on()).isFalse();
        assertThat(a.memory()).isEqualTo(4096);
        assertThat(a.busy()).isEqualTo(2048);
        assertThat(a.tempPath().dir()).isEqualTo(Path.of("/tmp/t"));
        assertThat(a.tempPath().levels()).containsExactly(1, 2);
        assertThat(a.ignored()).containsExactly(BufferSettings.Ignored.X_ACCEL_BUFFERING, BufferSettings.Ignored.EXPIRES);
        assertThat(a.ignoreClientAbort()).isTrue();
        assertThat(a.forResponse("yes")).as("X-Accel-Buffering is ignored").isNull();
        BufferSettings b = proxy(conf, "/b");
        assertThat(b.on()).isTrue();
        assertThat(b.maxTempFile()).isZero();
        assertThat(b.busy()).isEqualTo(1024);
    }

    @Test
    void xAccelBufferingOverridesTheDirective() throws Exception {
        String conf = """
                server { listen 8080;
                    location /on { proxy_pass http://127.0.0.1:8081; }
                    location /off { proxy_buffering off; proxy_pass http://127.0.0.1:8081; }
                }
                """;
        assertThat(proxy(conf, "/on").forResponse("no")).isNull();
        assertThat(proxy(conf, "/on").forResponse(null)).isNotNull();
        assertThat(proxy(conf, "/off").forResponse("YES")).isNotNull();
        assertThat(proxy(conf, "/off").forResponse("maybe")).isNull();
    }

    @Test
    void fastcgiHasTheSameFamily() throws Exception {
        Location l = location("""
                fastcgi_buffering off;
                fastcgi_temp_path fcgi 2;
                server { listen 8080; location / { fastcgi_buffers 4 16k; fastcgi_pass 127.0.0.1:9000; } }
                """, "/");
        BufferSettings b = l.settings().module(FastCgiModule.SETTINGS).buffering();
        assertThat(b.on()).isFalse();
        assertThat(b.memory()).isEqualTo(65536);
        assertThat(b.busy()).isEqualTo(32768);
        assertThat(b.tempPath().dir()).isEqualTo(dir.resolve("fcgi"));
        assertThat(b.tempPath().levels()).containsExactly(2);
    }

    @Test
    void nginxsChecksNameTheLine() throws Exception {
        assertThat(error("proxy_buffers 1 4k;")).startsWith("there must be at least 2 \"proxy_buffers\"");
        assertThat(error("proxy_buffers 4 4k;\nproxy_buffer_size 4k;\nproxy_busy_buffers_size 12k;"))
                .startsWith("\"proxy_busy_buffers_size\" must be less than the size of all \"proxy_buffers\" minus one buffer");
        assertThat(error("proxy_busy_buffers_size 1k;")).startsWith("\"proxy_busy_buffers_size\" must be equal to or greater than");
        assertThat(error("fastcgi_temp_file_write_size 1k;")).startsWith("\"fastcgi_temp_file_write_size\" must be equal to");
        assertThat(error("proxy_max_temp_file_size 1k;")).startsWith("\"proxy_max_temp_file_size\" must be equal to zero");
        assertThat(error("proxy_temp_path t 3;")).startsWith("invalid value \"3\"");
        assertThat(error("proxy_ignore_headers X-Foo;")).startsWith("invalid value \"X-Foo\"");
        assertThat(error("fastcgi_buffering maybe;")).contains("fastcgi_buffering");
    }
}
