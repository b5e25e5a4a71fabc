package io.ferry.http.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ignore_invalid_headers, underscores_in_headers, merge_slashes, *_pool_size, reset_timedout_connection, lingering_*: defaults, inheritance, errors. */
class ConnectionConfigTest {
    @TempDir
    Path dir;

    private ConnectionSettings at(String httpBody, String path) throws Exception {
        VirtualServer vs = new ConfigText(dir).server(httpBody);
        if (path == null) {
            return vs.fallback().module(ConnectionModule.SETTINGS);
        }
        for (Location l : vs.locations()) {
            if (l.path().equals(path)) {
                return l.settings().module(ConnectionModule.SETTINGS);
            }
        }
        throw new AssertionError("no location " + path);
    }

    @Test
    void defaultsAreNginxs() throws Exception {
        ConnectionSettings s = at("server { listen 8080; location / { } }", "/");
        assertThat(s).isEqualTo(new ConnectionSettings(true, false, true, false, ConnectionSettings.Lingering.ON,
                Duration.ofSeconds(30), Duration.ofSeconds(5)));
    }

    @Test
    void innerLevelsInheritAndOverride() throws Exception {
        String conf = """
                ignore_invalid_headers off;
                lingering_timeout 500ms;
                server { listen 8080; underscores_in_headers on; reset_timedout_connection on;
                    location /a { }
                    location /b { lingering_close always; lingering_time 2s; reset_timedout_connection off; }
                }
                """;
        ConnectionSettings server = at(conf, null);
        assertThat(server.ignoreInvalidHeaders()).isFalse();
        assertThat(server.underscoresInHeaders()).isTrue();
        ConnectionSettings a = at(conf, "/a");
        assertThat(a.resetTimedout()).isTrue();
        assertThat(a.lingeringTimeout()).isEqualTo(Duration.ofMillis(500));
        ConnectionSettings b = at(conf, "/b");
        assertThat(b.lingeringClose()).isEqualTo(ConnectionSettings.Lingering.ALWAYS);
        assertThat(b.lingeringTime()).isEqualTo(Duration.ofSeconds(2));
        assertThat(b.resetTimedout()).isFalse();
    }

    @Test
    void badValuesAndLevelsAreRefused() {
        assertThatThrownBy(() -> at("server { listen 8080; lingering_close sometimes; }", null))
                .hasMessageContaining("sometimes");
        assertThatThrownBy(() -> at("server { listen 8080; location / { underscores_in_headers on; } }", "/"))
                .hasMessageContaining("underscores_in_headers");
        assertThatThrownBy(() -> at("server { listen 8080; lingering_timeout soon; }", null))
                .hasMessageContaining("\"lingering_timeout\" directive invalid value");
    }

    @Test
    void mergeSlashesIsInheritedFromHttpToServer() throws Exception {
        String conf = "merge_slashes off; server { listen 8080; location / { } } server { listen 8081; merge_slashes on; }";
        assertThat(at(conf, "/").mergeSlashes()).isFalse();
        assertThat(at("server { listen 8080; location / { } }", "/").mergeSlashes()).isTrue();
        assertThatThrownBy(() -> at("server { listen 8080; location / { merge_slashes off; } }", "/"))
                .hasMessageContaining("merge_slashes");
    }

    @Test
    void poolSizesAreCheckedAsNginxDoes() throws Exception {
        at("connection_pool_size 128; request_pool_size 4k; server { listen 8080; connection_pool_size 512; location / { } }", "/");
        assertThatThrownBy(() -> at("connection_pool_size 64; server { listen 8080; }", null))
                .hasMessageContaining("the pool size must be no less than 112");
        assertThatThrownBy(() -> at("server { listen 8080; request_pool_size 130; }", null))
                .hasMessageContaining("the pool size must be a multiple of 16");
        assertThatThrownBy(() -> at("server { listen 8080; request_pool_size big; }", null))
                .hasMessageContaining("request_pool_size");
        assertThatThrownBy(() -> at("server { listen 8080; location / { connection_pool_size 256; } }", "/"))
                .hasMessageContaining("connection_pool_size");
    }
}
