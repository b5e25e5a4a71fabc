package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** log_subrequest: off by default, inherited from http and server, on|off only; error_log's levels below main. */
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
}
