package io.ferry.module.limitreq;

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

/** limit_req_zone, limit_req, limit_req_status, limit_req_log_level, limit_req_dry_run: values, defaults, inheritance, errors. */
class LimitReqDirectivesTest {
    @TempDir
    Path dir;

    private LimitReqSettings at(VirtualServer vs, String path) {
        for (Location l : vs.locations()) {
            if (l.path().equals(path)) {
                return l.settings().module(LimitReqModule.SETTINGS);
            }
        }
        throw new AssertionError(path);
    }

    @Test
    void defaultsAndInheritanceOnlyWhenTheLevelHasNone() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                limit_req_zone $binary_remote_addr zone=cfg_a:1m rate=2r/s;
                limit_req_zone $uri zone=cfg_b:64k rate=30r/m sync;
                limit_req zone=cfg_a burst=3 nodelay;
                server { listen 127.0.0.1:1; location /i { } location /own { limit_req zone=cfg_b delay=2 burst=4; limit_req zone=cfg_a;
                  limit_req_status 429; limit_req_log_level info; limit_req_dry_run on; } }
                """);
        LimitReqSettings i = at(vs, "/i");
        assertThat(i.limits()).hasSize(1);
        assertThat(i.limits().get(0).zone().name()).isEqualTo("cfg_a");
        assertThat(i.limits().get(0).zone().rate()).isEqualTo(2000);
        assertThat(i.limits().get(0).burst()).isEqualTo(3000);
        assertThat(i.status()).isEqualTo(503);
        assertThat(i.logLevel()).isEqualTo(LogLevel.ERROR);
        assertThat(i.dryRun()).isFalse();
        LimitReqSettings own = at(vs, "/own");
        assertThat(own.limits()).extracting(l -> l.zone().name()).containsExactly("cfg_b", "cfg_a");
        assertThat(own.limits().get(0).zone().rate()).isEqualTo(500);
        assertThat(own.limits().get(0).delay()).isEqualTo(2000);
        assertThat(own.limits().get(1).burst()).isZero();
        assertThat(own.status()).isEqualTo(429);
        assertThat(own.logLevel()).isEqualTo(LogLevel.INFO);
        assertThat(own.dryRun()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "limit_req_zone $uri zone=e1 rate=1r/s;|invalid zone size \"zone=e1\"",
            "limit_req_zone $uri zone=e1:1k rate=1r/s;|zone \"e1:1k\" is too small",
            "limit_req_zone $uri zone=e1:1m rate=0r/s;|invalid rate \"rate=0r/s\"",
            "limit_req_zone $uri rate=1r/s foo;|invalid parameter \"foo\"",
            "limit_req_zone $uri rate=1r/s sync;|\"limit_req_zone\" must have \"zone\" parameter",
            "limit_req_zone $uri zone=e1:1m rate=1r/s; limit_req_zone $uri zone=e1:1m rate=1r/s;|limit_req_zone \"e1\" is already bound to key \"$uri\"",
            "limit_req zone=nope;|zero size shared memory zone \"nope\"",
            "limit_req_zone $uri zone=e1:1m rate=1r/s; limit_req zone=e1 burst=0;|invalid burst value \"burst=0\"",
            "limit_req_zone $uri zone=e1:1m rate=1r/s; limit_req zone=e1 delay=x;|invalid delay value \"delay=x\"",
            "limit_req_zone $uri zone=e1:1m rate=1r/s; limit_req zone=e1 fast;|invalid parameter \"fast\"",
            "limit_req_zone $uri zone=e1:1m rate=1r/s; limit_req zone=e1; limit_req zone=e1;|\"limit_req\" directive is duplicate",
            "limit_req burst=1;|\"limit_req\" must have \"zone\" parameter",
            "limit_req_status 200;|value must be between 400 and 599",
            "limit_req_log_level loud;|\"limit_req_log_level\" directive invalid value",
    })
    void errorsNameTheLine(String http, String detail) throws Exception {
        assertThat(new ConfigText(dir).httpError(http + "\nserver { listen 127.0.0.1:1; }").detail()).isEqualTo(detail);
    }
}
