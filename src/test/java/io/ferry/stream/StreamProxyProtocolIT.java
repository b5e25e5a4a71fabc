package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.LogFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** stream listen ... proxy_protocol: the header is read before the upstream, its variables, a broken one, the timeout. */
@Timeout(60)
class StreamProxyProtocolIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;
    static int slow;
    static int forward;
    static int plain;

    @BeforeAll
    static void start() throws Exception {
        TcpBackend echo = closer.add(TcpBackend.echo());
        port = FerryInstance.freePort();
        slow = FerryInstance.freePort();
        forward = FerryInstance.freePort();
        plain = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                stream {
                    log_format pp "$proxy_protocol_addr:$proxy_protocol_port $proxy_protocol_server_addr:$proxy_protocol_server_port $status";
                    server { listen 127.0.0.1:%d proxy_protocol; proxy_pass 127.0.0.1:%d; access_log logs/pp.log pp; }
                    server {
                        listen 127.0.0.1:%d proxy_protocol;
                        proxy_protocol_timeout 500ms;
                        proxy_pass 127.0.0.1:%d;
                        access_log logs/slow.log pp;
                    }
                    server { listen 127.0.0.1:%d; proxy_pass 127.0.0.1:%d; proxy_protocol on; }
                    server { listen 127.0.0.1:%d; proxy_pass 127.0.0.1:%d; }
                }
                """.formatted(port, echo.port(), slow, echo.port(), forward, echo.port(), plain, echo.port())));
    }

    /** Sends {@code text} and reads {@code expected}'s length back (the client's EOF would end the session first). */
    private static String exchange(Socket s, String text, String expected) throws IOException {
        s.setSoTimeout(20_000);
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        return new String(s.getInputStream().readNBytes(expected.length()), StandardCharsets.ISO_8859_1);
    }

    private static String exchange(int to, String text, String expected) throws IOException {
        try (Socket s = new Socket("127.0.0.1", to)) {
            return exchange(s, text, expected);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (SocketException reset) {
            return new byte[0];
        }
    }

    @Test
    void theUpstreamGetsWhatFollowsTheHeaderAndTheLogItsAddresses() throws Exception {
        assertThat(exchange(port, "PROXY TCP4 192.0.2.1 192.0.2.2 123 5678\r\nhello", "hello")).isEqualTo("hello");
        assertThat(exchange(port, "PROXY TCP4 192.0.2.1 nonsense\r\nhello", "hello")).isEmpty();
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/pp.log"), 2))
                .containsExactlyInAnyOrder("192.0.2.1:123 192.0.2.2:5678 200", "-:- -:- 400");
    }

    @Test
    void proxyProtocolOnSendsTheUpstreamAV1HeaderFirst() throws Exception {
        try (Socket s = new Socket("127.0.0.1", forward)) {
            String expected = "PROXY TCP4 127.0.0.1 127.0.0.1 " + s.getLocalPort() + " " + forward + "\r\nhi";
            assertThat(exchange(s, "hi", expected)).isEqualTo(expected);
        }
        assertThat(exchange(plain, "hi", "hi")).isEqualTo("hi");
    }

    @Test
    void aHeaderThatNeverCompletesEndsAtProxyProtocolTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", slow)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("PROXY TCP4".getBytes(StandardCharsets.ISO_8859_1));
            long t0 = System.nanoTime();
            assertThat(readAll(s.getInputStream())).isEmpty();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(400L, 8_000L);
        }
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/slow.log"), 1)).containsExactly("-:- -:- 200");
    }
}
