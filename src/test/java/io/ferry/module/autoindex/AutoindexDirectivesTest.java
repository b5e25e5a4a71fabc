package io.ferry.module.autoindex;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** autoindex's directives through the loader: nginx's defaults, inheritance, errors naming their line. */
class AutoindexDirectivesTest {
    @TempDir
    Path dir;

    private AutoindexSettings location(String http, String path) throws Exception {
        VirtualServer vs = new ConfigText(dir).server(http);
        for (Location l : vs.locations()) {
            if (l.path().equals(path)) {
                return l.settings().module(AutoindexModule.SETTINGS);
            }
        }
        throw new AssertionError("no location " + path);
    }

    @Test
    void offByDefaultWithExactSizesInHtml() throws Exception {
        assertThat(location("server { listen 8080; location / { } }", "/")).isEqualTo(AutoindexSettings.DEFAULT);
    }

    @Test
    void innerLevelsInherit() throws Exception {
        assertThat(location("""
                autoindex on; autoindex_format jsonp; autoindex_localtime on;
                server { listen 8080; location / { autoindex_exact_size off; } }
                """, "/")).isEqualTo(new AutoindexSettings(true, AutoindexSettings.Format.JSONP, true, false));
        assertThat(location("autoindex on; server { listen 8080; location / { autoindex off; } }", "/").enable()).isFalse();
    }

    @Test
    void badValuesNameTheirLine() throws Exception {
        ConfException e = new ConfigText(dir).httpError("autoindex_format yaml;");
        assertThat(e.detail()).isEqualTo("invalid value \"yaml\"");
        assertThat(e.line()).isPositive();
        assertThat(new ConfigText(dir).httpError("autoindex maybe;").detail()).contains("it must be \"on\" or \"off\"");
    }
}
