package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * log_subrequest: off by default, inherited from http and server, on|off only; error_log's levels below main;
 * access_log's parameters and open_log_file_cache.
 */
class LogDirectivesConfigTest {
    @TempDir
    Path dir;

    @Test
    void offByDefaultAndInherited() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                log_subrequest on;
                server { location /a { } location /b { log_subrequest off; } }
                """);
        assertThat(LogModule.logsSubrequests(vs.locations().get(0).settings())).isTrue();
        assertThat(LogModule.logsSubrequests(vs.locations().get(1).settings())).isFalse();
        VirtualServer plain = new ConfigText(dir).server("server { location /a { } }");
        assertThat(LogModule.logsSubrequests(plain.locations().get(0).settings())).isFalse();
    }

    @Test
    void errorLogLevelsAreCheckedAtEveryLevel() throws Exception {
        ConfException e = new ConfigText(dir).httpError("server {\nlocation / { error_log logs/x.log loud; }\n}");
        assertThat(e.detail()).isEqualTo("invalid log level \"loud\"");
        assertThat(e.line()).isEqualTo(3);
    }

    @Test
    void onlyOnOrOff() throws Exception {
        ConfException e = new ConfigText(dir).httpError("log_subrequest yes;");
        assertThat(e.detail()).contains("log_subrequest").contains("on").contains("off");
        assertThat(e.line()).isEqualTo(2);
    }

    @Test
    void openLogFileCacheIsSharedByTheLevelsInheritingItAndOffTurnsItOff() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                open_log_file_cache max=3 inactive=20s valid=1m min_uses=2;
                server {
                    location /a { access_log logs/a_$arg_n; }
                    location /b { access_log logs/b_$arg_n; }
                    location /c { open_log_file_cache off; access_log logs/c_$arg_n; }
                    location /d { access_log logs/d.log; }
                }
                """);
        AccessLog a = LogModule.accessLogs(vs.locations().get(0).settings()).get(0);
        AccessLog b = LogModule.accessLogs(vs.locations().get(1).settings()).get(0);
        assertThat(a.pathTemplate()).isNotNull();
        assertThat(a.cache()).isNotNull().isSameAs(b.cache());
        assertThat(LogModule.accessLogs(vs.locations().get(2).settings()).get(0).cache()).isNull();
        AccessLog plain = LogModule.accessLogs(vs.locations().get(3).settings()).get(0);
        assertThat(plain.pathTemplate()).isNull();
        assertThat(plain.cache()).isNull();
    }

    @Test
    void openLogFileCacheErrorsAsNginx() throws Exception {
        assertThat(new ConfigText(dir).httpError("open_log_file_cache inactive=10s;").detail())
                .isEqualTo("\"open_log_file_cache\" must have \"max\" parameter");
        assertThat(new ConfigText(dir).httpError("open_log_file_cache max=x;").detail())
                .isEqualTo("invalid \"open_log_file_cache\" parameter \"max=x\"");
        ConfException dup = new ConfigText(dir).httpError("open_log_file_cache max=1;\nopen_log_file_cache max=2;");
        assertThat(dup.detail()).contains("duplicate");
        assertThat(dup.line()).isEqualTo(3);
    }

    @Test
    void gzipBuffersAtSixtyFourKilobytesUnlessTold() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                server {
                    location /a { access_log logs/a.log combined gzip; }
                    location /b { access_log logs/b.log combined gzip=9 buffer=1k flush=5s; }
                }
                """);
        AccessLog a = LogModule.accessLogs(vs.locations().get(0).settings()).get(0);
        assertThat(a.gzip()).isEqualTo(1);
        assertThat(a.bufferSize()).isEqualTo(64 * 1024);
        AccessLog b = LogModule.accessLogs(vs.locations().get(1).settings()).get(0);
        assertThat(b.gzip()).isEqualTo(9);
        assertThat(b.bufferSize()).isEqualTo(1024);
    }

    @Test
    void accessLogParameterErrorsAsNginx() throws Exception {
        assertThat(new ConfigText(dir).httpError("access_log logs/a.log combined gzip=10;").detail())
                .isEqualTo("invalid compression level \"10\"");
        assertThat(new ConfigText(dir).httpError("access_log logs/a_$uri combined buffer=4k;").detail())
                .isEqualTo("buffered logs cannot have variables in name");
        assertThat(new ConfigText(dir).httpError("access_log logs/a.log combined flush=0;").detail())
                .isEqualTo("invalid flush time \"0\"");
        assertThat(new ConfigText(dir).httpError("access_log logs/a.log buffer=4k;").detail())
                .isEqualTo("unknown log format \"buffer=4k\"");
    }
}
