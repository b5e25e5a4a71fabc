package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.LogFiles;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * UDP stream servers over real datagram sockets: return's datagram, proxying to a UDP echo backend
 * with proxy_responses 1 and 0 (an empty datagram too), proxy_timeout ending an idle session, deny, and the access log line
 * each session writes when it ends.
 */
@Timeout(60)
class StreamUdpIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static DatagramSocket backend;
    /** What the backend received, from every test: "text from-port". */
    static final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    static int returns;
    static int oneResponse;
    static int noResponse;
    static int idle;
    static int denied;

    @BeforeAll
    static void start() throws Exception {
        backend = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        Thread echo = new Thread(StreamUdpIT::echo, "udp-echo");
        echo.setDaemon(true);
        echo.start();
        returns = FerryInstance.freePort();
        oneResponse = FerryInstance.freePort();
        noResponse = FerryInstance.freePort();
        idle = FerryInstance.freePort();
        denied = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                stream {
                    log_format udp "$server_port $protocol $status $bytes_received $bytes_sent $upstream_addr";
                    access_log %1$s/udp.log udp;
                    server { listen 127.0.0.1:%2$d udp; return "$protocol $remote_port"; }
                    server { listen 127.0.0.1:%3$d udp; proxy_pass 127.0.0.1:%7$d; proxy_responses 1; }
                    server { listen 127.0.0.1:%4$d udp; proxy_pass 127.0.0.1:%7$d; proxy_responses 0; }
                    server { listen 127.0.0.1:%5$d udp; proxy_pass 127.0.0.1:%7$d; proxy_timeout 300ms; }
                    server { listen 127.0.0.1:%6$d udp; deny 127.0.0.1; return never; }
                }
                """.formatted(prefix, returns, oneResponse, noResponse, idle, denied, backend.getLocalPort())));
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    /** Answers each datagram with its text and the port it came from. */
    private static void echo() {
        byte[] buf = new byte[2048];
        while (!backend.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                backend.receive(p);
                String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1) + " " + p.getPort();
                received.add(text);
                byte[] out = text.getBytes(StandardCharsets.ISO_8859_1);
                backend.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void send(DatagramSocket client, int port, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        client.send(new DatagramPacket(b, b.length, InetAddress.getByName("127.0.0.1"), port));
    }

    /** The next datagram, or null when none came within {@code millis}. */
    private static String receive(DatagramSocket client, int millis) throws IOException {
        client.setSoTimeout(millis);
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            client.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
    }

    private static List<String> logged(int port) throws IOException {
        return LogFiles.lines(prefix.resolve("udp.log")).stream().filter(l -> l.startsWith(port + " ")).toList();
    }

    private static List<String> awaitLogged(int port, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (logged(port).size() < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return logged(port);
    }

    @Test
    void returnAnswersWithOneDatagramAndTheSessionIsLogged() throws Exception {
        try (DatagramSocket client = new DatagramSocket()) {
            send(client, returns, "?");
            assertThat(receive(client, 5000)).isEqualTo("UDP " + client.getLocalPort());
            String size = Integer.toString(("UDP " + client.getLocalPort()).length());
            assertThat(awaitLogged(returns, 1)).containsExactly(returns + " UDP 200 1 " + size + " -");
        }
    }

    @Test
    void oneResponseEndsTheSessionSoTheNextDatagramStartsAnother() throws Exception {
        try (DatagramSocket client = new DatagramSocket()) {
            send(client, oneResponse, "a");
            String first = receive(client, 5000);
            assertThat(first).startsWith("a ");
            send(client, oneResponse, "b");
            String second = receive(client, 5000);
            assertThat(second).startsWith("b ");
            // a new session, a new upstream socket
            assertThat(second.substring(2)).isNotEqualTo(first.substring(2));
            // (the empty datagram's session is logged here too, with 0 bytes received)
            assertThat(awaitLogged(oneResponse, 2)).allSatisfy(l -> assertThat(l)
                    .matches(oneResponse + " UDP 200 [01] \\d+ 127\\.0\\.0\\.1:" + backend.getLocalPort()));
        }
    }

    @Test
    void anEmptyDatagramIsRelayedToTheUpstream() throws Exception {
        try (DatagramSocket client = new DatagramSocket()) {
            send(client, oneResponse, "");
            assertThat(receive(client, 5000)).matches(" \\d+");
        }
    }

    @Test
    void noResponseEndsTheSessionOnceTheDatagramIsSent() throws Exception {
        try (DatagramSocket client = new DatagramSocket()) {
            send(client, noResponse, "quiet");
            String got = received.poll(5, TimeUnit.SECONDS);
            while (got != null && !got.startsWith("quiet ")) {
                got = received.poll(5, TimeUnit.SECONDS);
            }
            assertThat(got).startsWith("quiet ");
            // the upstream socket closed at once: the echo has nowhere to go
            assertThat(receive(client, 500)).isNull();
            assertThat(awaitLogged(noResponse, 1)).containsExactly(noResponse + " UDP 200 5 0 127.0.0.1:" + backend.getLocalPort());
        }
    }

    @Test
    void anIdleSessionEndsAfterProxyTimeoutAndKeepsItsUpstreamUntilThen() throws Exception {
        try (DatagramSocket client = new DatagramSocket()) {
            send(client, idle, "x");
            String first = receive(client, 5000);
            send(client, idle, "y");
            String second = receive(client, 5000);
            // no proxy_responses: the session stays, on the same upstream socket
            assertThat(second.substring(2)).isEqualTo(first.substring(2));
            assertThat(awaitLogged(idle, 1)).hasSize(1);
            send(client, idle, "z");
            String third = receive(client, 5000);
            assertThat(third.substring(2)).isNotEqualTo(first.substring(2));
        }
    }

    @Test
    void aDeniedClientGetsNothingAndIsLoggedWith403() throws Exception {
        try (DatagramSocket client = new DatagramSocket()) {
            send(client, denied, "hi");
            assertThat(receive(client, 500)).isNull();
            assertThat(awaitLogged(denied, 1)).containsExactly(denied + " UDP 403 2 0 -");
        }
    }
}
