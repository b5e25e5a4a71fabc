package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keepalive_timeout TIMEOUT [HEADER_TIMEOUT]: the header's default, inheritance and errors. */
class KeepaliveTimeoutConfigTest {
    @TempDir
    Path dir;

    @Test
    void headerTimeoutIsTheSecondArgumentAndInherits() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                keepalive_timeout 10 9;
                server { listen 8080; location /a/ { } location /b/ { keepalive_timeout 5; } }""");
        assertThat(vs.fallback().clientTimeouts().keepaliveHeader()).isEqualTo(Duration.ofSeconds(9));
        assertThat(vs.locations().get(0).settings().clientTimeouts().keepaliveHeader()).isEqualTo(Duration.ofSeconds(9));
        assertThat(vs.locations().get(1).settings().clientTimeouts().keepaliveHeader()).isNull();
        assertThat(new ConfigText(dir).server("server { listen 8080; }").fallback().clientTimeouts().keepaliveHeader()).isNull();
    }

    @Test
    void aBadHeaderTimeoutIsAnError() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpError("keepalive_timeout 10 x;\nserver { listen 8080; }")).hasMessage(c.at("\"keepalive_timeout\" directive invalid value", 2));
    }
}
