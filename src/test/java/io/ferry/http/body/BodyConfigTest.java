package io.ferry.http.body;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.fastcgi.FastCgiModule;
import io.ferry.model.Location;
import io.ferry.model.LocationSettings;
import io.ferry.model.VirtualServer;
import io.ferry.proxy.ProxyModule;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** client_body_* and *_request_buffering: defaults, inheritance and errors. */
class BodyConfigTest {
    @TempDir
    Path dir;

    private LocationSettings settings(String httpBody, String path) throws Exception {
        VirtualServer vs = new ConfigText(dir).server(httpBody);
        for (Location l : vs.locations()) {
            if (l.path().equals(path)) {
                return l.settings();
            }
        }
        throw new AssertionError("no location " + path);
    }

    @Test
    void defaultsAreNginxsOn64Bit() throws Exception {
        LocationSettings s = settings("server { listen 8080; location / { proxy_pass http://127.0.0.1:8081; } }", "/");
        BodySettings body = s.module(BodyModule.SETTINGS);
        assertThat(body.bufferSize()).isEqualTo(16 * 1024);
        assertThat(body.tempPath().getFileName().toString()).isEqualTo("client_body_temp");
        assertThat(body.tempPath().isAbsolute()).isTrue();
        assertThat(body.levels()).isEmpty();
        assertThat(body.inFileOnly()).isEqualTo(BodySettings.InFileOnly.OFF);
        assertThat(body.singleBuffer()).isFalse();
        assertThat(s.module(ProxyModule.SETTINGS).requestBuffering()).isTrue();
    }

    @Test
    void innerLevelsInheritAndOverride() throws Exception {
        String conf = """
                client_body_buffer_size 2k;
                client_body_temp_path /var/tmp/body 1 2;
                proxy_request_buffering off;
                fastcgi_request_buffering off;
                server { listen 8080;
                    client_body_in_file_only clean;
                    location /a { proxy_pass http://127.0.0.1:8081; }
                    location /b { client_body_buffer_size 1m; client_body_in_file_only on; client_body_in_single_buffer on;
                        proxy_request_buffering on; proxy_pass http://127.0.0.1:8081; }
                    location /c { fastcgi_pass 127.0.0.1:9000; }
                }
                """;
        BodySettings a = settings(conf, "/a").module(BodyModule.SETTINGS);
        assertThat(a.bufferSize()).isEqualTo(2048);
        assertThat(a.tempPath()).isEqualTo(Path.of("/var/tmp/body"));
        assertThat(a.levels()).containsExactly(1, 2);
        assertThat(a.inFileOnly()).isEqualTo(BodySettings.InFileOnly.CLEAN);
        assertThat(settings(conf, "/a").module(ProxyModule.SETTINGS).requestBuffering()).isFalse();
        BodySettings b = settings(conf, "/b").module(BodyModule.SETTINGS);
        assertThat(b.bufferSize()).isEqualTo(1024 * 1024);
        assertThat(b.inFileOnly()).isEqualTo(BodySettings.InFileOnly.ON);
        assertThat(b.singleBuffer()).isTrue();
        assertThat(settings(conf, "/b").module(ProxyModule.SETTINGS).requestBuffering()).isTrue();
        assertThat(settings(conf, "/c").module(FastCgiModule.SETTINGS).requestBuffering()).isFalse();
    }

    @Test
    void badValuesNameTheDirective() throws Exception {
        for (String bad : List.of("client_body_buffer_size 1x;", "client_body_temp_path /t 3;",
                "client_body_temp_path /t 1 1 1 1;", "client_body_in_file_only maybe;",
                "client_body_in_single_buffer yes;", "proxy_request_buffering 1;")) {
            assertThat(new ConfigText(dir).httpError(bad + " server { listen 8080; location / { proxy_pass http://127.0.0.1:8081; } }").detail()).as(bad)
                    .containsAnyOf("invalid", "number of arguments", "must be");
        }
    }
}
