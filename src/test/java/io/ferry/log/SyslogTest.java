package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** syslog: targets: nginx's parameters, defaults and errors, and the RFC 3164 line its ngx_syslog writes. */
class SyslogTest {
    private static final LocalDateTime MARCH_5 = LocalDateTime.of(2025, 3, 5, 7, 8, 9);
    private static final LocalDateTime DEC_25 = LocalDateTime.of(2025, 12, 25, 23, 59, 1);

    @TempDir
    Path dir;

    private Syslog accessTarget(String target) throws Exception {
        VirtualServer vs = new ConfigText(dir).server("server { location / { access_log " + target + "; } }");
        return LogModule.accessLogs(vs.locations().get(0).settings()).get(0).syslog();
    }

    private String error(String target) throws Exception {
        ConfException e = new ConfigText(dir).httpError("server {\nlocation / { access_log " + target + "; } }");
        assertThat(e.line()).isEqualTo(3);
        return e.detail();
    }

    @Test
    void defaultsAreLocal7InfoPort514AndFerrysTag() throws Exception {
        Syslog s = accessTarget("syslog:server=127.0.0.1");
        assertThat(s).isEqualTo(new Syslog(new InetSocketAddress("127.0.0.1", 514), 23, 6, "ferry", false));
    }

    @Test
    void parametersInAnyOrder() throws Exception {
        Syslog s = accessTarget("syslog:severity=alert,tag=Edge_1,server=[::1]:5140,facility=user,nohostname");
        assertThat(s).isEqualTo(new Syslog(new InetSocketAddress("::1", 5140), 1, 1, "Edge_1", true));
    }

    @Test
    void nginxsErrors() throws Exception {
        assertThat(error("syslog:facility=user")).isEqualTo("no syslog server specified");
        assertThat(error("syslog:server=127.0.0.1,server=127.0.0.2")).isEqualTo("duplicate syslog \"server\"");
        assertThat(error("syslog:server=127.0.0.1,facility=local9")).isEqualTo("unknown syslog facility \"local9\"");
        assertThat(error("syslog:server=127.0.0.1,severity=err")).isEqualTo("unknown syslog severity \"err\"");
        assertThat(error("syslog:server=127.0.0.1,tag=a-b")).isEqualTo(
                "syslog \"tag\" only allows alphanumeric characters and underscore");
        assertThat(error("syslog:server=127.0.0.1,tag=" + "x".repeat(33))).isEqualTo("syslog tag length exceeds 32");
        assertThat(error("syslog:server=127.0.0.1,tag=a,tag=b")).isEqualTo("duplicate syslog \"tag\"");
        assertThat(error("syslog:server=127.0.0.1,loud")).isEqualTo("unknown syslog parameter \"loud\"");
        assertThat(error("syslog:server=127.0.0.1:99999")).contains("invalid port");
        assertThat(error("syslog:server=unix:/dev/log")).contains("unix domain sockets are not supported");
        assertThat(error("syslog:server=127.0.0.1 combined buffer=4k")).isEqualTo("logs to syslog cannot be buffered");
        assertThat(error("syslog:server=127.0.0.1 combined gzip")).isEqualTo("logs to syslog cannot be buffered");
    }

    @Test
    void aTagOfThirtyTwoIsTheLongestAllowed() throws Exception {
        assertThat(accessTarget("syslog:server=127.0.0.1,tag=" + "a".repeat(32)).tag()).hasSize(32);
    }

    @Test
    void errorLogTargetsAtEveryLevel() throws Exception {
        List<ErrorLog> main = new ConfigText(dir).load("error_log syslog:server=127.0.0.1:1514,tag=edge warn;\nhttp {}\n")
                .errorLogs();
        assertThat(main).containsExactly(new ErrorLog("syslog:server=127.0.0.1:1514,tag=edge", "warn",
                new Syslog(new InetSocketAddress("127.0.0.1", 1514), 23, 6, "edge", false)));
        ConfException e = new ConfigText(dir).httpError("server {\nlocation / { error_log syslog:server=127.0.0.1,x; } }");
        assertThat(e.detail()).isEqualTo("unknown syslog parameter \"x\"");
        assertThat(e.line()).isEqualTo(3);
    }

    @Test
    void streamTakesThemToo() throws Exception {
        String stream = """
                stream {
                    log_format s "$remote_addr";
                    server {
                        listen 127.0.0.1:1; proxy_pass 127.0.0.1:2;
                        access_log syslog:server=127.0.0.1,tag=tcp s;
                        %s
                    }
                }
                """;
        AccessLog log = new ConfigText(dir).load(stream.formatted("")).stream().servers().get(0).accessLogs().get(0);
        assertThat(log.syslog().tag()).isEqualTo("tcp");
        ConfException e = new ConfigText(dir).error(stream.formatted("error_log syslog:server=127.0.0.1,tag=a.b;"));
        assertThat(e.detail()).isEqualTo("syslog \"tag\" only allows alphanumeric characters and underscore");
    }

    @Test
    void headerIsPriTimestampHostnameAndTag() {
        Syslog s = new Syslog(new InetSocketAddress("127.0.0.1", 514), 23, 6, "ferry", false);
        assertThat(s.header(6, MARCH_5, "box")).isEqualTo("<190>Mar  5 07:08:09 box ferry: ");
        assertThat(s.header(3, DEC_25, "box")).isEqualTo("<187>Dec 25 23:59:01 box ferry: ");
        Syslog bare = new Syslog(new InetSocketAddress("127.0.0.1", 514), 1, 1, "t", true);
        assertThat(bare.header(1, MARCH_5, "box")).isEqualTo("<9>Mar  5 07:08:09 t: ");
    }

    @Test
    void errorLinesAreCutAtNginxsLimitAccessLinesSentWhole() {
        Syslog s = new Syslog(new InetSocketAddress("127.0.0.1", 514), 23, 6, "ferry", false);
        String head = "<187>Mar  5 07:08:09 box ferry: ";
        String longLine = "e".repeat(5000);
        byte[] cut = s.datagram(3, longLine, Syslog.ERROR_LINE_MAX, MARCH_5, "box");
        assertThat(new String(cut, StandardCharsets.UTF_8)).isEqualTo(head + "e".repeat(2047));
        byte[] whole = s.datagram(3, longLine, Integer.MAX_VALUE, MARCH_5, "box");
        assertThat(whole).hasSize(head.length() + 5000);
    }
}
