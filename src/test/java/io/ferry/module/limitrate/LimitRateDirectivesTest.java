package io.ferry.module.limitrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** limit_rate and limit_rate_after: defaults, inheritance, variables, errors; nginx's run-time size syntax. */
class LimitRateDirectivesTest {
    @TempDir
    Path dir;

    private static LimitRateModule.Settings at(VirtualServer vs, String path) {
        for (Location l : vs.locations()) {
            if (l.path().equals(path)) {
                return l.settings().module(LimitRateModule.SETTINGS);
            }
        }
        throw new AssertionError(path);
    }

    @Test
    void eachInheritsOnItsOwn() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                limit_rate 12k;
                server { listen 127.0.0.1:1; limit_rate_after 256;
                  location /i { } location /own { limit_rate $arg_l; } location /off { limit_rate 0; limit_rate_after 1m; } }
                """);
        assertThat(at(vs, "/i").rate().text()).isEqualTo("12k");
        assertThat(at(vs, "/i").after().text()).isEqualTo("256");
        assertThat(at(vs, "/own").rate().text()).isEqualTo("$arg_l");
        assertThat(at(vs, "/own").after().text()).isEqualTo("256");
        assertThat(at(vs, "/off").rate().text()).isEqualTo("0");
        assertThat(at(vs, "/off").after().text()).isEqualTo("1m");
    }

    @Test
    void noneWrittenMeansNoLimit() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("server { listen 127.0.0.1:1; location /i { } }");
        assertThat(at(vs, "/i").rate()).isNull();
        assertThat(at(vs, "/i").after()).isNull();
    }

    @Test
    void allowedInIfInLocation() throws Exception {
        new ConfigText(dir).server("server { listen 127.0.0.1:1; location /i { if ($arg_slow) { limit_rate 1k; limit_rate_after 10; } } }");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "limit_rate 12x;|\"limit_rate\" directive invalid value",
            "limit_rate_after -1;|\"limit_rate_after\" directive invalid value",
            "limit_rate 1k 2k;|invalid number of arguments in \"limit_rate\" directive",
            "limit_rate 1k; limit_rate 2k;|\"limit_rate\" directive is duplicate",
    })
    void errorsNameTheLine(String http, String detail) throws Exception {
        assertThat(new ConfigText(dir).httpError(http + "\nserver { listen 127.0.0.1:1; }").detail()).isEqualTo(detail);
    }

    @Test
    void sizesParseAsNginxDoesAtRunTime() {
        assertThat(LimitRateModule.parse("40k")).isEqualTo(40960);
        assertThat(LimitRateModule.parse("2M")).isEqualTo(2 << 20);
        assertThat(LimitRateModule.parse("1g")).isEqualTo(1L << 30);
        assertThat(LimitRateModule.parse("13000")).isEqualTo(13000);
        assertThat(LimitRateModule.parse("")).isEqualTo(-1);
        assertThat(LimitRateModule.parse("1.5k")).isEqualTo(-1);
        assertThat(LimitRateModule.parse(null)).isEqualTo(-1);
    }
}
