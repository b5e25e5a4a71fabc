package io.ferry.module.limitconn;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.log.LogLevel;
import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** limit_conn_zone, limit_conn, limit_conn_status, limit_conn_log_level, limit_conn_dry_run: values, defaults, inheritance, errors. */
class LimitConnDirectivesTest {
    @TempDir
    Path dir;

    private LimitConnModule.Settings at(VirtualServer vs, String path) {
        for (Location l : vs.locations()) {
            if (l.path().equals(path)) {
                return l.settings().module(LimitConnModule.SETTINGS);
            }
        }
        throw new AssertionError(path);
    }

    @Test
    void defaultsAndInheritanceOnlyWhenTheLevelHasNone() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                limit_conn_zone $binary_remote_addr zone=cc_a:1m;
                limit_conn_zone $uri zone=cc_b:1m;
                limit_conn cc_a 2;
                server { listen 127.0.0.1:1; location /i { } location /own { limit_conn cc_b 1;
                  limit_conn_status 429; limit_conn_log_level warn; limit_conn_dry_run on; } }
                """);
        LimitConnModule.Settings i = at(vs, "/i");
        assertThat(i.limits()).extracting(l -> l.zone().name() + " " + l.conn()).containsExactly("cc_a 2");
        assertThat(i.status()).isEqualTo(503);
        assertThat(i.logLevel()).isEqualTo(LogLevel.ERROR);
        assertThat(i.dryRun()).isFalse();
        LimitConnModule.Settings own = at(vs, "/own");
        assertThat(own.limits()).extracting(l -> l.zone().name() + " " + l.conn()).containsExactly("cc_b 1");
        assertThat(own.status()).isEqualTo(429);
        assertThat(own.logLevel()).isEqualTo(LogLevel.WARN);
        assertThat(own.dryRun()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "limit_conn_zone $uri zone=c1;|invalid zone size \"zone=c1\"",
            "limit_conn_zone $uri size=1m;|invalid parameter \"size=1m\"",
            "limit_conn_zone $uri zone=c1:1m; limit_conn_zone $uri zone=c1:1m;|limit_conn_zone \"c1\" is already bound to key \"$uri\"",
            "limit_conn nope 1;|zero size shared memory zone \"nope\"",
            "limit_conn_zone $uri zone=c1:1m; limit_conn c1 0;|invalid number of connections \"0\"",
            "limit_conn_zone $uri zone=c1:1m; limit_conn c1 70000;|connection limit must be less 65536",
            "limit_conn_zone $uri zone=c1:1m; limit_conn c1 1; limit_conn c1 2;|\"limit_conn\" directive is duplicate",
            "limit_conn_status 302;|value must be between 400 and 599",
            "limit_conn_log_level debug;|\"limit_conn_log_level\" directive invalid value",
    })
    void errorsNameTheLine(String http, String detail) throws Exception {
        assertThat(new ConfigText(dir).httpError(http + "\nserver { listen 127.0.0.1:1; }").detail()).isEqualTo(detail);
    }
}
