package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.variable.Host;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** access_log and error_log to syslog: one UDP datagram per line, in RFC 3164 form, received by a real socket. */
@Timeout(60)
class SyslogIT {
    private static final String TIME = "[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} ";

    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;
    static DatagramSocket located;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(prefix.resolve("html"));
        Files.createDirectories(prefix.resolve("logs"));
        located = closer.add(new DatagramSocket(0, InetAddress.getLoopbackAddress()));
        port = FerryInstance.freePort();
        int to = located.getLocalPort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    log_format uri "$uri:$status";
                    access_log off;
                    server {
                        listen 127.0.0.1:%d;
                        location /a { access_log syslog:server=127.0.0.1:%d uri; }
                        location /af {
                            access_log syslog:server=127.0.0.1:%d,facility=user,severity=alert,tag=edge,nohostname uri;
                        }
                        location /e { error_log syslog:server=127.0.0.1:%d,severity=alert; }
                    }
                }
                """.formatted(port, to, to, to)));
    }

    private static List<String> received(DatagramSocket socket, String uri) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.get(uri).status()).isEqualTo(404);
        }
        List<String> lines = new ArrayList<>();
        socket.setSoTimeout(5000);
        byte[] buf = new byte[65536];
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return lines;
            }
            lines.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
            socket.setSoTimeout(300);
        }
    }

    @Test
    void anAccessLineIsOneDatagramAtInfoLocal7WithTheHostnameAndFerrysTag() throws Exception {
        List<String> lines = received(located, "/a");
        String host = Host.name().toLowerCase(Locale.ROOT);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).matches("<190>" + TIME + Pattern.quote(host) + " ferry: /a:404");
    }

    @Test
    void facilitySeverityTagAndNohostname() throws Exception {
        assertThat(received(located, "/af")).singleElement().asString().matches("<9>" + TIME + "edge: /af:404");
    }

    @Test
    void anErrorLineCarriesItsOwnSeverityAndNginxsLineFormat() throws Exception {
        List<String> lines = received(located, "/e");
        assertThat(lines).singleElement().asString()
                .matches("<187>" + TIME + "\\S+ ferry: \\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2} \\[error\\] "
                        + "\\d+#\\d+: .*/e\" failed \\(2: No such file or directory\\).*")
                .doesNotEndWith("\n");
    }

    @Test
    void aServerThatIsNotListeningCostsNothingAndLaterLinesArrive() throws Exception {
        int to = located.getLocalPort();
        located.close();
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.get("/a").status()).isEqualTo(404);
            assertThat(c.get("/a").status()).isEqualTo(404);
        }
        located = closer.add(new DatagramSocket(to, InetAddress.getLoopbackAddress()));
        assertThat(received(located, "/a")).singleElement().asString().endsWith("ferry: /a:404");
    }
}
