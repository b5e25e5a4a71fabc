package io.ferry.module.range;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** max_ranges through the loader: unlimited by default, inherited, a number or an error naming its line. */
class RangeDirectivesTest {
    @TempDir
    Path dir;

    private Integer maxRanges(String http, String path) throws Exception {
        VirtualServer vs = new ConfigText(dir).server(http);
        for (Location l : vs.locations()) {
            if (l.path().equals(path)) {
                return l.settings().module(RangeModule.SETTINGS);
            }
        }
        throw new AssertionError("no location " + path);
    }

    @Test
    void unlimitedByDefaultAndInherited() throws Exception {
        assertThat(maxRanges("server { listen 8080; location / { } }", "/")).isEqualTo(Integer.MAX_VALUE);
        assertThat(maxRanges("max_ranges 2; server { listen 8080; location / { } }", "/")).isEqualTo(2);
        assertThat(maxRanges("max_ranges 2; server { listen 8080; location / { max_ranges 0; } }", "/")).isZero();
    }

    @Test
    void aBadNumberNamesItsLine() throws Exception {
        ConfException e = new ConfigText(dir).httpError("max_ranges many;");
        assertThat(e.detail()).isEqualTo("\"max_ranges\" directive invalid number");
        assertThat(e.line()).isPositive();
    }
}
