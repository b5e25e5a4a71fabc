package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.LogFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream modules beyond proxying, over real sockets: return, map, set, split_clients, geo,
 * allow/deny (by the client's 127.0.0.x source address), realip from a PROXY protocol header,
 * access_log if=, and worker_shutdown_timeout at a reload.
 */
@Timeout(60)
class StreamModulesIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static int returns;
    static int mapped;
    static int set;
    static int split;
    static int geo;
    static int access;
    static int inherited;
    static int realip;
    static int realipDenied;
    static int proxied;

    @BeforeAll
    static void start() throws Exception {
        TcpBackend echo = closer.add(TcpBackend.echo());
        returns = FerryInstance.freePort();
        mapped = FerryInstance.freePort();
        set = FerryInstance.freePort();
        split = FerryInstance.freePort();
        geo = FerryInstance.freePort();
        access = FerryInstance.freePort();
        inherited = FerryInstance.freePort();
        realip = FerryInstance.freePort();
        realipDenied = FerryInstance.freePort();
        proxied = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                worker_shutdown_timeout 100ms;
                stream {
                    deny 127.0.0.3;
                    map $server_port $port_name {
                        %d     returns;
                        ~^(\\d)(?<rest>\\d+)$  "first $1 rest $rest";
                    }
                    map 0 $m { default original; }
                    split_clients "fixed" $half { 50%% a; * b; }
                    geo $where { default elsewhere; 127.0.0.2/32 two; }
                    log_format plain "$server_port $status";
                    map $server_port $logme { %d 1; default 0; }
                    access_log logs/if.log plain if=$logme;
                    server { listen 127.0.0.1:%d; return "$remote_addr $server_port $protocol $port_name"; }
                    server { listen 127.0.0.1:%d; return $port_name; }
                    server { listen 127.0.0.1:%d; return $m:$s; set $s $m; set $m new; }
                    server { listen 127.0.0.1:%d; return $half; }
                    server { listen 0.0.0.0:%d; return $where; }
                    server { listen 0.0.0.0:%d; allow 127.0.0.2; deny all; return ok; }
                    server { listen 0.0.0.0:%d; return ok; }
                    server {
                        listen 127.0.0.1:%d proxy_protocol;
                        set_real_ip_from 127.0.0.1;
                        return "$remote_addr:$remote_port $realip_remote_addr";
                    }
                    server { listen 127.0.0.1:%d proxy_protocol; set_real_ip_from 127.0.0.0/8; deny 192.0.2.1; return ok; }
                    server {
                        listen 127.0.0.1:%d;
                        proxy_pass 127.0.0.1:%d;
                    }
                }
                """.formatted(returns, proxied, returns, mapped, set, split, geo, access, inherited, realip, realipDenied,
                proxied, echo.port())));
    }

    private static String read(String from, int port, String send) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress("127.0.0.1", port));
            s.setSoTimeout(10_000);
            if (!send.isEmpty()) {
                s.getOutputStream().write(send.getBytes(StandardCharsets.ISO_8859_1));
            }
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String read(int port) throws IOException {
        return read("127.0.0.1", port, "");
    }

    @Test
    void returnSendsItsTextAndCloses() throws Exception {
        assertThat(read(returns)).isEqualTo("127.0.0.1 " + returns + " TCP returns");
    }

    @Test
    void mapTakesExactKeysThenRegexesWithTheirCaptures() throws Exception {
        String p = Integer.toString(mapped);
        assertThat(read(mapped)).isEqualTo("first " + p.charAt(0) + " rest " + p.substring(1));
    }

    @Test
    void setRunsInOrderAndAValueSetForAMapVariableWins() throws Exception {
        assertThat(read(set)).isEqualTo("new:original");
    }

    @Test
    void splitClientsGivesTheSameShareForTheSameKey() throws Exception {
        String first = read(split);
        assertThat(first).isIn("a", "b");
        assertThat(read(split)).isEqualTo(first);
    }

    @Test
    void geoLooksUpTheClientsAddress() throws Exception {
        assertThat(read("127.0.0.2", geo, "")).isEqualTo("two");
        assertThat(read("127.0.0.1", geo, "")).isEqualTo("elsewhere");
    }

    @Test
    void allowAndDenyDecideByTheFirstRuleThatMatchesAndServersInheritTheBlocks() throws Exception {
        assertThat(read("127.0.0.2", access, "")).isEqualTo("ok");
        assertThat(read("127.0.0.1", access, "")).isEmpty();
        assertThat(read("127.0.0.1", inherited, "")).isEqualTo("ok");
        assertThat(read("127.0.0.3", inherited, "")).isEmpty();
    }

    @Test
    void realipTakesTheClientFromATrustedPeersProxyProtocolHeader() throws Exception {
        assertThat(read("127.0.0.1", realip, "PROXY TCP4 192.0.2.1 192.0.2.2 1234 5678\r\n"))
                .isEqualTo("192.0.2.1:1234 127.0.0.1");
        assertThat(read("127.0.0.1", realip, "PROXY UNKNOWN TCP4 192.0.2.1 192.0.2.2 1234 5678\r\n")).startsWith("127.0.0.1:").endsWith(" 127.0.0.1");
        // the access phase judges the address realip named
        assertThat(read("127.0.0.1", realipDenied, "PROXY TCP4 192.0.2.1 192.0.2.2 1234 5678\r\n")).isEmpty();
        assertThat(read("127.0.0.1", realipDenied, "PROXY TCP4 192.0.2.9 192.0.2.2 1234 5678\r\n")).isEqualTo("ok");
    }

    @Test
    void accessLogIfWritesOnlyWhenTheConditionIsNeitherEmptyNorZero() throws Exception {
        read(returns);
        try (Socket s = new Socket("127.0.0.1", proxied)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("hi".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(s.getInputStream().readNBytes(2)).isEqualTo("hi".getBytes(StandardCharsets.ISO_8859_1));
        }
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/if.log"), 1)).isNotEmpty().containsOnly(proxied + " 200");
    }

    @Test
    void workerShutdownTimeoutClosesSessionsFromBeforeAReload() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxied)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("x".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(s.getInputStream().read()).isEqualTo('x');
            ferry.server().reload(ConfigLoader.load(prefix, prefix.resolve("conf/ferry.conf"), null).config());
            ferry.server().retire(Duration.ofMillis(100));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }
}
