package io.ferry.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etag, if_modified_since, aio and sendfile_max_chunk through the loader: defaults, inheritance, errors. */
class FileDirectivesTest {
    @TempDir
    Path dir;

    private FileSettings location(String http, String path) throws Exception {
        VirtualServer vs = new ConfigText(dir).server(http);
        for (Location l : vs.locations()) {
            if (l.path().equals(path)) {
                return FilesModule.of(l.settings());
            }
        }
        throw new AssertionError("no location " + path);
    }

    private String error(String http) throws Exception {
        ConfException e = new ConfigText(dir).httpError(http);
        return e.detail() + ":" + e.line();
    }

    @Test
    void defaultsAreNginxs() throws Exception {
        assertThat(location("server { listen 8080; location / { } }", "/")).isEqualTo(FileSettings.DEFAULT);
    }

    @Test
    void innerLevelsInherit() throws Exception {
        FileSettings s = location("""
                etag off;
                if_modified_since before;
                sendfile_max_chunk 512k;
                aio threads;
                server { listen 8080; location / { } }
                """, "/");
        assertThat(s).isEqualTo(new FileSettings(false, FileSettings.IfModifiedSince.BEFORE, 512 * 1024));
        assertThat(location("etag off; server { listen 8080; location / { etag on; sendfile_max_chunk 0; } }", "/"))
                .isEqualTo(new FileSettings(true, FileSettings.IfModifiedSince.EXACT, 0));
    }

    @Test
    void badValuesNameTheirLine() throws Exception {
        assertThat(error("if_modified_since sometimes;")).startsWith("invalid value \"sometimes\":");
        assertThat(error("etag maybe;")).contains("it must be \"on\" or \"off\"");
        assertThat(error("aio sideways;")).startsWith("invalid value \"sideways\":");
        assertThat(error("sendfile_max_chunk lots;")).startsWith("\"sendfile_max_chunk\" directive invalid value:");
    }
}
