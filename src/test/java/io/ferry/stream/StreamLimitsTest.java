package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.log.LogLevel;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** limit_conn_zone, limit_conn, limit_conn_log_level, limit_conn_dry_run, proxy_download_rate, proxy_upload_rate in stream. */
class StreamLimitsTest {
    @TempDir
    Path dir;

    private List<StreamServer> servers(String stream) throws Exception {
        return new ConfigText(dir).load("stream {\n" + stream + "\n}\n").stream().servers();
    }

    @Test
    void valuesDefaultsAndInheritance() throws Exception {
        List<StreamServer> s = servers("""
                limit_conn_zone $binary_remote_addr zone=s_a:1m;
                limit_conn_zone $server_port zone=s_b:1m;
                limit_conn s_a 2;
                proxy_download_rate 4k;
                server { listen 127.0.0.1:9000; proxy_pass 127.0.0.1:7000; }
                server { listen 127.0.0.1:9001; proxy_pass 127.0.0.1:7000; limit_conn s_b 1; limit_conn_log_level info;
                         limit_conn_dry_run on; proxy_download_rate 0; proxy_upload_rate 100; }
                """);
        StreamServer a = s.get(0);
        assertThat(a.limitConn().limits()).extracting(l -> l.zone().name() + " " + l.conn()).containsExactly("s_a 2");
        assertThat(a.limitConn().logLevel()).isEqualTo(LogLevel.ERROR);
        assertThat(a.limitConn().dryRun()).isFalse();
        assertThat(a.downloadRate()).isEqualTo(4096);
        assertThat(a.uploadRate()).isZero();
        StreamServer b = s.get(1);
        assertThat(b.limitConn().limits()).extracting(l -> l.zone().name() + " " + l.conn()).containsExactly("s_b 1");
        assertThat(b.limitConn().logLevel()).isEqualTo(LogLevel.INFO);
        assertThat(b.limitConn().dryRun()).isTrue();
        assertThat(b.downloadRate()).isZero();
        assertThat(b.uploadRate()).isEqualTo(100);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "limit_conn_zone $binary_remote_addr zone=s1;|invalid zone size \"zone=s1\"",
            "limit_conn nope 1;|zero size shared memory zone \"nope\"",
            "limit_conn_zone $binary_remote_addr zone=s1:1m; limit_conn s1 0;|invalid number of connections \"0\"",
            "limit_conn_zone $binary_remote_addr zone=s1:1m; limit_conn s1 1; limit_conn s1 2;|\"limit_conn\" directive is duplicate",
            "limit_conn_zone $uri zone=s1:1m;|unknown \"uri\" variable",
            "limit_conn_dry_run maybe;|invalid value \"maybe\" in \"limit_conn_dry_run\" directive, it must be \"on\" or \"off\"",
            "proxy_download_rate fast;|\"proxy_download_rate\" directive invalid value",
    })
    void errorsInNginxsWords(String stream, String detail) throws Exception {
        String text = "stream {\n" + stream + "\nserver { listen 127.0.0.1:9000; proxy_pass 127.0.0.1:7000; }\n}\n";
        assertThat(new ConfigText(dir).error(text).detail()).isEqualTo(detail);
    }
}
