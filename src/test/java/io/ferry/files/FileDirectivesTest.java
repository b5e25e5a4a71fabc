package io.ferry.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etag, if_modified_since, aio, sendfile_max_chunk, output_buffers and postpone_output through the loader: defaults, inheritance, errors. */
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
        return new ConfigText(dir).httpErrorLine(http);
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
                output_buffers 4 512;
                postpone_output 0;
                server { listen 8080; location / { } }
                """, "/");
        assertThat(s).isEqualTo(new FileSettings(false, FileSettings.IfModifiedSince.BEFORE, 512 * 1024, 4, 512, 0));
        assertThat(location("etag off; output_buffers 4 512; server { listen 8080; location / { etag on; sendfile_max_chunk 0;"
                + " output_buffers 1 1m; postpone_output 2k; } }", "/"))
                .isEqualTo(new FileSettings(true, FileSettings.IfModifiedSince.EXACT, 0, 1, 1024 * 1024, 2048));
    }

    @Test
    void badValuesNameTheirLine() throws Exception {
        assertThat(error("if_modified_since sometimes;")).startsWith("invalid value \"sometimes\":");
        assertThat(error("etag maybe;")).contains("it must be \"on\" or \"off\"");
        assertThat(error("aio sideways;")).startsWith("invalid value \"sideways\":");
        assertThat(error("sendfile_max_chunk lots;")).startsWith("\"sendfile_max_chunk\" directive invalid value:");
        assertThat(error("output_buffers 0 32k;")).startsWith("\"output_buffers\" directive invalid value:");
        assertThat(error("output_buffers 2 0;")).startsWith("\"output_buffers\" directive invalid value:");
        assertThat(error("output_buffers two 32k;")).startsWith("\"output_buffers\" directive invalid value:");
        assertThat(error("output_buffers 2;")).contains("invalid number of arguments");
        assertThat(error("postpone_output lots;")).startsWith("\"postpone_output\" directive invalid value:");
    }
}
