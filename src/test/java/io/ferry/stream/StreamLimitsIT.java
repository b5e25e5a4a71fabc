package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.LogFiles;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream limits on real sockets: limit_conn refuses a session over the limit (dry run only logs),
 * $limit_conn_status says so; proxy_download_rate and proxy_upload_rate pace 5000 bytes at 2000 a
 * second to about 2 s (the first second's worth at once, as nginx), with generous bounds.
 */
@Timeout(60)
class StreamLimitsIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;

    private static Socket connect(int port) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        return s;
    }

    /** Sends {@code out} and reads as many bytes back from the echo; fewer when the session is cut. */
    private static byte[] exchange(int port, byte[] out) throws Exception {
        try (Socket s = connect(port)) {
            s.getOutputStream().write(out);
            return s.getInputStream().readNBytes(out.length);
        }
    }

    @Test
    void limitConnRefusesASessionOverTheLimitAndSaysSo() throws Exception {
        TcpBackend echo = closer.add(TcpBackend.echo());
        int p1 = FerryInstance.freePort();
        int p2 = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                stream {
                    limit_conn_zone $binary_remote_addr zone=st_conn:1m;
                    log_format lc "$server_port $limit_conn_status $status";
                    access_log logs/lc.log lc;
                    server { listen 127.0.0.1:%1$d; proxy_pass 127.0.0.1:%3$d; limit_conn st_conn 1; }
                    server { listen 127.0.0.1:%2$d; proxy_pass 127.0.0.1:%3$d; limit_conn st_conn 1; limit_conn_dry_run on; }
                }
                """.formatted(p1, p2, echo.port())));
        try (Socket held = connect(p1)) {
            held.getOutputStream().write('h');
            assertThat(held.getInputStream().read()).isEqualTo('h');
            assertThat(exchange(p1, "x".getBytes())).isEmpty();
            assertThat(exchange(p2, "dry".getBytes())).isEqualTo("dry".getBytes());
        }
        Thread.sleep(200);
        assertThat(exchange(p1, "again".getBytes())).isEqualTo("again".getBytes());
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/lc.log"), 4)).containsExactlyInAnyOrder(
                p1 + " REJECTED 503", p2 + " REJECTED_DRY_RUN 200", p1 + " PASSED 200", p1 + " PASSED 200");
    }

    @Test
    void downloadAndUploadRatesPaceTheRelay() throws Exception {
        TcpBackend echo = closer.add(TcpBackend.echo());
        int down = FerryInstance.freePort();
        int up = FerryInstance.freePort();
        int free = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                stream {
                    server { listen 127.0.0.1:%1$d; proxy_pass 127.0.0.1:%4$d; proxy_download_rate 2000; }
                    server { listen 127.0.0.1:%2$d; proxy_pass 127.0.0.1:%4$d; proxy_upload_rate 2000; }
                    server { listen 127.0.0.1:%3$d; proxy_pass 127.0.0.1:%4$d; }
                }
                """.formatted(down, up, free, echo.port())));
        byte[] data = new byte[5000];
        Arrays.fill(data, (byte) 'r');
        for (int port : new int[] {down, up}) {
            long start = System.nanoTime();
            assertThat(exchange(port, data)).isEqualTo(data);
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1500L, 10_000L);
        }
        long start = System.nanoTime();
        assertThat(exchange(free, data)).isEqualTo(data);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000L);
    }

    /**
     * A paced answer ends the session only once the client has it all, as nginx finalizes a session: the upstream,
     * done at once, is kept until then, so $upstream_session_time and $session_time both cover the pacing.
     */
    @Test
    void aPacedSessionEndsWhenTheClientHasEverything() throws Exception {
        int answer = FerryInstance.freePort();
        int paced = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                stream {
                    log_format times $upstream_session_time:$session_time;
                    server { listen 127.0.0.1:%1$d; return "abc"; }
                    server { listen 127.0.0.1:%2$d; proxy_pass 127.0.0.1:%1$d; proxy_download_rate 2;
                        access_log logs/times.log times; }
                }
                """.formatted(answer, paced)));
        try (Socket s = connect(paced)) {
            assertThat(s.getInputStream().readAllBytes()).isEqualTo("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        String[] times = LogFiles.awaitLines(prefix.resolve("logs/times.log"), 1).get(0).split(":");
        assertThat(Double.parseDouble(times[0])).as("$upstream_session_time").isGreaterThanOrEqualTo(1.0);
        assertThat(Double.parseDouble(times[1])).as("$session_time").isGreaterThanOrEqualTo(1.0);
    }
}
