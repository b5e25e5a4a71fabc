package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import java.io.IOException;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Stream servers on unix domain sockets: listen unix:PATH, proxy_pass unix:PATH, and allow/deny unix:. */
@Timeout(60)
class StreamUnixIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int viaUnix;
    static int viaDenied;
    static int tcpBackend;

    @BeforeAll
    static void start() throws Exception {
        viaUnix = FerryInstance.freePort();
        viaDenied = FerryInstance.freePort();
        tcpBackend = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                stream {
                    server { listen unix:%1$s/open.sock; allow unix:; deny all; return "hello $remote_addr"; }
                    server { listen unix:%1$s/shut.sock; deny unix:; return never; }
                    server { listen 127.0.0.1:%2$d; proxy_pass unix:%1$s/open.sock; }
                    server { listen 127.0.0.1:%3$d; proxy_pass unix:%1$s/shut.sock; }
                    server { listen 127.0.0.1:%4$d; return "tcp backend"; }
                    server { listen unix:%1$s/to-tcp.sock; proxy_pass 127.0.0.1:%4$d; }
                }
                """.formatted(prefix, viaUnix, viaDenied, tcpBackend)));
    }

    private static String readUnix(String name) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(prefix.resolve(name)));
            ByteBuffer buf = ByteBuffer.allocate(256);
            while (ch.read(buf) >= 0) {
                if (!buf.hasRemaining()) {
                    break;
                }
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String readTcp(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aUnixListenServesAndItsClientIsUnix() throws Exception {
        assertThat(readUnix("open.sock")).isEqualTo("hello unix:");
        assertThat(readUnix("shut.sock")).isEmpty();
    }

    /** A unix client's session runs on the loops its listener's transport has, and so does its TCP upstream. */
    @Test
    void aUnixListenProxiesToATcpUpstream() throws Exception {
        assertThat(readUnix("to-tcp.sock")).isEqualTo("tcp backend");
    }

    @Test
    void proxyPassReachesAUnixSocket() throws Exception {
        assertThat(readTcp(viaUnix)).isEqualTo("hello unix:");
        assertThat(readTcp(viaDenied)).isEmpty();
    }
}
