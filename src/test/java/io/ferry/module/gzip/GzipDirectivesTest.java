package io.ferry.module.gzip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.conf.ConfException;
import io.ferry.conf.directive.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * gzip's directives through the configuration loader: nginx's words and the FILE:LINE of the offending
 * line. The directive under test is always on line 4 of the file.
 */
class GzipDirectivesTest {
    @TempDir
    Path dir;

    private Path write(String location) throws IOException {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, "http {\n    server {\n        listen 127.0.0.1:8080;\n" + location
                + "\n    }\n}\n");
        return conf;
    }

    private String error(String line4) throws IOException {
        Path conf = write("        " + line4);
        ConfException e = catchThrowableOfType(ConfException.class, () -> ConfigLoader.load(dir, conf, null));
        assertThat(e).as("expected a configuration error for: " + line4).isNotNull();
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.file()).isEqualTo(conf.toString());
        return e.getMessage().replace(" in " + conf + ":4", "");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            gzip_comp_level 10;           | value must be between 1 and 9
            gzip_comp_level 0;            | value must be between 1 and 9
            gzip_comp_level fast;         | "gzip_comp_level" directive invalid number
            gzip_http_version 2.0;        | invalid value "2.0"
            gzip_proxied expired bogus;   | invalid value "bogus"
            gzip_static maybe;            | invalid value "maybe"
            gzip maybe;                   | invalid value "maybe" in "gzip" directive, it must be "on" or "off"
            gzip_vary yes;                | invalid value "yes" in "gzip_vary" directive, it must be "on" or "off"
            gzip_min_length lots;         | "gzip_min_length" directive invalid value
            gzip_buffers 16;              | invalid number of arguments in "gzip_buffers" directive
            gzip_buffers 16 8k 1;         | invalid number of arguments in "gzip_buffers" directive
            gzip_types;                   | invalid number of arguments in "gzip_types" directive
            gzip_disable "(unclosed";     | invalid regex "(unclosed": Unclosed group
            """)
    void invalidValues(String line, String message) throws IOException {
        assertThat(error(line)).startsWith(message);
    }

    @Test
    void onlyGzipItselfIsAllowedInsideIf() throws IOException {
        Path conf = write("""
                        location / {
                            if ($arg_z) {
                                gzip on;
                            }
                        }""");
        assertThatCode(() -> ConfigLoader.load(dir, conf, null)).doesNotThrowAnyException();

        assertThat(error("location / { if ($arg_z) { gzip_types text/plain; } }"))
                .isEqualTo("\"gzip_types\" directive is not allowed here");
        assertThat(error("location / { if ($arg_z) { gzip_static on; } }"))
                .isEqualTo("\"gzip_static\" directive is not allowed here");
    }

    @Test
    void notAllowedOutsideHttp() throws IOException {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, """
                events {
                }
                stream {
                    gzip on;
                }
                """);
        ConfException e = catchThrowableOfType(ConfException.class, () -> ConfigLoader.load(dir, conf, null));
        assertThat(e.getMessage()).isEqualTo("\"gzip\" directive is not allowed here in " + conf + ":4");
    }

    @Test
    void writtenTwiceAtOneLevelIsDuplicate() throws IOException {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, """
                http {
                    gzip_comp_level 5;
                    server {
                        gzip_comp_level 6;
                        gzip_comp_level 7;
                    }
                }
                """);
        ConfException e = catchThrowableOfType(ConfException.class, () -> ConfigLoader.load(dir, conf, null));
        assertThat(e.getMessage()).isEqualTo("\"gzip_comp_level\" directive is duplicate in " + conf + ":5");
    }

    @Test
    void everyNginxValueIsAccepted() throws IOException {
        Path conf = write("""
                        gzip on;
                        gzip_comp_level 9;
                        gzip_min_length 1k;
                        gzip_buffers 32 4k;
                        gzip_http_version 1.0;
                        gzip_proxied expired no-cache no-store private no_last_modified no_etag auth any;
                        gzip_vary on;
                        gzip_disable msie6 "Bot/\\d";
                        gzip_types text/plain application/json;
                        location /a { gzip_static always; gzip_types *; gzip_proxied off; }
                        location /b { gzip_static off; gzip_http_version 1.1; }""");
        assertThatCode(() -> ConfigLoader.load(dir, conf, null)).doesNotThrowAnyException();
    }
}
