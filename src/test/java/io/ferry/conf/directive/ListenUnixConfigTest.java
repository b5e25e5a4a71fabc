package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.Listen;
import io.ferry.net.SocketPlan;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** listen unix:PATH: what it makes, what it refuses, and allow/deny unix:. */
class ListenUnixConfigTest {
    @TempDir
    Path dir;

    @Test
    void aUnixListenIsItsOwnSocketAndTakesDefaultServer() throws Exception {
        Listen l = new ConfigText(dir).server("server { listen unix:/run/f.sock default_server; }").listens().get(0);
        assertThat(l.host()).isEqualTo("unix:/run/f.sock");
        assertThat(l.ssl()).isFalse();
        assertThat(l.defaultServer()).isTrue();
        assertThat(l.socketKey()).isEqualTo("unix:/run/f.sock");
        assertThat(SocketPlan.addressKey(l.host(), l.socket())).isEqualTo("unix:/run/f.sock");
    }

    @Test
    void errorsNameTheLine() throws Exception {
        ConfigText text = new ConfigText(dir);
        assertThat(text.httpError("server {\nlisten unix:;\n}").detail()).isEqualTo("no path in the unix domain socket \"unix:\"");
        assertThat(text.httpError("server {\nlisten unix:/run/f.sock backlog=10;\n}").line()).isEqualTo(3);
        assertThat(text.httpError("server {\nlisten unix:/run/f.sock backlog=10;\n}").detail())
                .isEqualTo("invalid parameter \"backlog=10\"");
        assertThat(text.error("stream { server { listen unix:/run/s.sock ssl backlog=1; proxy_pass 127.0.0.1:1; } }").detail())
                .isEqualTo("invalid parameter \"backlog=1\"");
    }

    @Test
    void streamListensOnAUnixSocketToo() throws Exception {
        Listen l = new ConfigText(dir).load("stream { server { listen unix:/run/s.sock proxy_protocol; proxy_pass 127.0.0.1:1; } }")
                .stream().servers().get(0).listens().get(0);
        assertThat(l.host()).isEqualTo("unix:/run/s.sock");
        assertThat(l.port()).isZero();
        assertThat(l.proxyProtocol()).isTrue();
    }
}
