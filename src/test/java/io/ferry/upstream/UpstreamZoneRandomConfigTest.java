package io.ferry.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** zone and random in upstream blocks: what loads, and nginx's errors with their lines. */
class UpstreamZoneRandomConfigTest {
    @TempDir
    Path dir;

    private String error(String http) throws Exception {
        return new ConfigText(dir).httpErrorAt(http);
    }

    @Test
    void zonesAndRandomLoad() throws Exception {
        new ConfigText(dir).server("""
                upstream a { zone shared 64k; random; server 127.0.0.1:8081 weight=2; server 127.0.0.1:8082 down; }
                upstream b { zone shared; random two; server 127.0.0.1:8081 max_conns=2; }
                upstream c { random two least_conn; server 127.0.0.1:8081; }
                server { listen 8080; location / { proxy_pass http://a; } }
                """);
    }

    @Test
    void badZonesAreRefusedAsNginxDoes() throws Exception {
        assertThat(error("upstream a {\n zone z 1k;\n server 127.0.0.1:1;\n}")).isEqualTo("zone \"z\" is too small:2");
        assertThat(error("upstream a {\n zone z lots;\n server 127.0.0.1:1;\n}")).isEqualTo("invalid zone size \"lots\":2");
        assertThat(error("upstream a {\n zone z;\n server 127.0.0.1:1;\n}")).isEqualTo("zero size shared memory zone \"z\":2");
        assertThat(error("upstream a {\n zone z 1m;\n server 127.0.0.1:1;\n}\nupstream b {\n zone z 2m;\n server 127.0.0.1:1;\n}"))
                .isEqualTo("the size 2097152 of shared memory zone \"z\" conflicts with already declared size 1048576:6");
        assertThat(error("upstream a {\n zone z 1m;\n zone y 1m;\n server 127.0.0.1:1;\n}")).isEqualTo("\"zone\" directive is duplicate:3");
    }

    @Test
    void badRandomParametersAreRefused() throws Exception {
        assertThat(error("upstream a {\n random three;\n server 127.0.0.1:1;\n}")).isEqualTo("invalid parameter \"three\":2");
        assertThat(error("upstream a {\n random two ip_hash;\n server 127.0.0.1:1;\n}")).isEqualTo("invalid parameter \"ip_hash\":2");
        assertThat(error("upstream a {\n random;\n server 127.0.0.1:1 backup;\n}"))
                .isEqualTo("balancing method does not support parameter \"backup\":3");
    }
}
