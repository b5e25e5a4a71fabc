package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** return, set, allow/deny, set_real_ip_from, geo and split_clients in stream: what each server gets, and errors with file:line. */
class StreamModulesConfigTest {
    @TempDir
    Path dir;

    private List<StreamServer> servers(String stream) throws Exception {
        return new ConfigText(dir).load("stream {\n" + stream + "\n}\n").stream().servers();
    }

    @Test
    void theLastOfProxyPassAndReturnIsTheContent() throws Exception {
        List<StreamServer> s = servers("""
                server { listen 127.0.0.1:9000; proxy_pass 127.0.0.1:7000; return "$remote_addr"; }
                server { listen 127.0.0.1:9001; return x; proxy_pass 127.0.0.1:7000; }
                """);
        assertThat(s.get(0).upstream()).isNull();
        assertThat(s.get(0).returnText().text()).isEqualTo("$remote_addr");
        assertThat(s.get(1).upstream()).isNotNull();
        assertThat(s.get(1).returnText()).isNull();
    }

    @Test
    void phaseHandlersComeFromTheServerOrTheBlockInPhaseOrder() throws Exception {
        List<StreamServer> s = servers("""
                allow 127.0.0.1;
                set_real_ip_from 10.0.0.0/8;
                server { listen 127.0.0.1:9000; return x; }
                server { listen 127.0.0.1:9001; return x; deny all; set $a b; }
                server { listen 127.0.0.1:9002; return x; set_real_ip_from 127.0.0.1; }
                """);
        // realip (post-accept) and access inherited from the block
        assertThat(s.get(0).phases().handlers()).hasSize(2);
        // realip, set (pre-access), its own access
        assertThat(s.get(1).phases().handlers()).hasSize(3);
        assertThat(s.get(2).phases().handlers()).hasSize(2);
        assertThat(s.get(0).phases().preread()).isEqualTo(2);
    }

    @Test
    void aServerWithoutTheirDirectivesHasNoHandlers() throws Exception {
        assertThat(servers("server { listen 127.0.0.1:9000; return x; }").get(0).phases().handlers()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "server { listen 127.0.0.1:9000; }|no handler for server|2",
            "server { listen 127.0.0.1:9000; return $uri; }|unknown \"uri\" variable|2",
            "server { listen 127.0.0.1:9000; return x; set a b; }|invalid variable name \"a\"|2",
            "server { listen 127.0.0.1:9000; return x; allow 10.0.0.1/40; }|invalid parameter \"10.0.0.1/40\"|2",
            "server { listen 127.0.0.1:9000; return x; set_real_ip_from unix:; }|unix domain sockets are not supported in \"set_real_ip_from\"|2",
            "geo $g { proxy 127.0.0.1; } server { listen 127.0.0.1:9000; return $g; }|invalid network \"proxy\"|2",
            "split_clients $remote_addr $v { 150% a; } server { listen 127.0.0.1:9000; return $v; }|percent total is greater than 100%|2",
    })
    void errorsNameTheLine(String stream, String detail, int line) throws Exception {
        ConfException e = new ConfigText(dir).error("stream {\n" + stream + "\n}\n");
        assertThat(e.detail()).isEqualTo(detail);
        assertThat(e.line()).isEqualTo(line);
    }

    @Test
    void returnIsAServerDirective() throws Exception {
        ConfException e = new ConfigText(dir).error("stream {\nreturn x;\nserver { listen 127.0.0.1:9000; return x; }\n}\n");
        assertThat(e.detail()).isEqualTo("\"return\" directive is not allowed here");
        assertThat(e.line()).isEqualTo(2);
    }
}
