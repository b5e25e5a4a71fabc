package io.ferry.module.ssi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ssi directives through the configuration loader: nginx's defaults, inheritance, "*", its errors. */
class SsiDirectivesTest {
    @TempDir
    Path dir;

    private static SsiSettings at(VirtualServer vs, String path) {
        return ConfigText.location(vs, path).settings().module(SsiModule.SETTINGS);
    }

    private String error(String http) throws Exception {
        return new ConfigText(dir).httpErrorLine(http);
    }

    @Test
    void nginxDefaults() throws Exception {
        SsiSettings s = at(new ConfigText(dir).server("server { location / { } }"), "/");
        assertThat(s).isEqualTo(new SsiSettings(false, Set.of("text/html"), false, 255, false, 1024));
    }

    @Test
    void inheritedAndOverridden() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                ssi on;
                ssi_types text/plain;
                ssi_value_length 1k;
                server {
                    ssi_silent_errors on;
                    location /a { }
                    location /b { ssi off; ssi_types *; ssi_last_modified on; ssi_min_file_chunk 8k; }
                }
                """);
        SsiSettings a = at(vs, "/a");
        assertThat(a.enabled()).isTrue();
        assertThat(a.types()).containsExactlyInAnyOrder("text/html", "text/plain");
        assertThat(a.valueLength()).isEqualTo(1024);
        assertThat(a.silentErrors()).isTrue();
        SsiSettings b = at(vs, "/b");
        assertThat(b.enabled()).isFalse();
        assertThat(b.processes("application/x-anything")).isTrue();
        assertThat(b.lastModified()).isTrue();
        assertThat(b.minFileChunk()).isEqualTo(8192);
    }

    @Test
    void ssiMayStandInAnIfBlock() throws Exception {
        new ConfigText(dir).server("server { location / { if ($arg_x) { ssi on; } } }");
    }

    @Test
    void nginxErrors() throws Exception {
        assertThat(error("server { location / { ssi maybe; } }"))
                .isEqualTo("invalid value \"maybe\" in \"ssi\" directive, it must be \"on\" or \"off\":2");
        assertThat(error("server { location / { ssi_value_length lots; } }"))
                .isEqualTo("\"ssi_value_length\" directive invalid value:2");
        assertThat(error("server { location / { ssi_types; } }"))
                .isEqualTo("invalid number of arguments in \"ssi_types\" directive:2");
    }
}
