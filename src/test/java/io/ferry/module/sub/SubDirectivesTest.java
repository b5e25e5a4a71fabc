package io.ferry.module.sub;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sub_filter directives through the configuration loader: defaults, inheritance, "*", errors. */
class SubDirectivesTest {
    @TempDir
    Path dir;

    private static SubSettings at(VirtualServer vs, String path) {
        return ConfigText.location(vs, path).settings().module(SubModule.SETTINGS);
    }

    private String error(String http) throws Exception {
        return new ConfigText(dir).httpErrorLine(http);
    }

    @Test
    void nginxDefaults() throws Exception {
        SubSettings s = at(new ConfigText(dir).server("server { location / { } }"), "/");
        assertThat(s.rules()).isEmpty();
        assertThat(s.types()).isEqualTo(Set.of("text/html"));
        assertThat(s.once()).isTrue();
        assertThat(s.lastModified()).isFalse();
    }

    @Test
    void pairsAreInheritedAsAWholeOnlyWhenALevelWritesNone() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                sub_filter a b;
                sub_filter c $uri;
                sub_filter_types text/plain;
                server {
                    sub_filter_once off;
                    location /a { }
                    location /b { sub_filter x y; sub_filter_types *; sub_filter_last_modified on; }
                }
                """);
        SubSettings a = at(vs, "/a");
        assertThat(a.rules()).hasSize(2);
        assertThat(a.rules().get(1).replacement().isConstant()).isFalse();
        assertThat(a.types()).containsExactlyInAnyOrder("text/html", "text/plain");
        assertThat(a.once()).isFalse();
        SubSettings b = at(vs, "/b");
        assertThat(b.rules()).hasSize(1);
        assertThat(b.processes("application/x-anything")).isTrue();
        assertThat(b.lastModified()).isTrue();
    }

    @Test
    void nginxErrors() throws Exception {
        assertThat(error("server { location / { sub_filter \"\" x; } }")).isEqualTo("empty search pattern:2");
        assertThat(error("server { location / { sub_filter a; } }"))
                .isEqualTo("invalid number of arguments in \"sub_filter\" directive:2");
        assertThat(error("server { location / { sub_filter_once maybe; } }"))
                .isEqualTo("invalid value \"maybe\" in \"sub_filter_once\" directive, it must be \"on\" or \"off\":2");
        assertThat(error("server { location / { if ($arg_x) { sub_filter a b; } } }"))
                .isEqualTo("\"sub_filter\" directive is not allowed here:2");
    }
}
