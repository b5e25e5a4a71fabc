package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An HTTP server on a unix domain socket: its clients, allow/deny unix:, and a proxy in front of it. */
@Timeout(60)
class ListenUnixIT {
    @TempDir
    Path prefix;

    /** One request over the socket: the status line and body of the answer. */
    private static String overSocket(Path socket, String target) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(java.nio.ByteBuffer.wrap(("GET " + target + " HTTP/1.0\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            String all = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.ISO_8859_1);
            return all.substring(0, all.indexOf("\r\n")) + "|" + all.substring(all.indexOf("\r\n\r\n") + 4);
        }
    }

    @Test
    void unixClientsAreUnixForVariablesAndAccessAndTheFileGoesWithTheServer() throws Exception {
        Path socket = prefix.resolve("f.sock");
        int port = FerryInstance.freePort();
        FerryInstance ferry = FerryInstance.start(prefix, """
                http {
                    server { listen 127.0.0.1:%1$d;
                        location / { proxy_pass http://unix:%2$s:/; }
                    }
                    server { listen unix:%2$s;
                        location /addr { return 200 "[$remote_addr][$remote_port]"; }
                        location /deny_unix { deny unix:; }
                        location /allow_unix { allow unix:; deny all; return 200 in; }
                        location /deny_inet { deny 127.0.0.1; return 200 in; }
                    }
                }
                """.formatted(port, socket));
        try {
            assertThat(overSocket(socket, "/addr")).isEqualTo("HTTP/1.1 200 OK|[unix:][]");
            assertThat(overSocket(socket, "/deny_unix")).startsWith("HTTP/1.1 403");
            assertThat(overSocket(socket, "/allow_unix")).isEqualTo("HTTP/1.1 200 OK|in");
            assertThat(overSocket(socket, "/deny_inet")).isEqualTo("HTTP/1.1 200 OK|in");
            try (RawHttpClient client = new RawHttpClient(port)) {
                assertThat(client.get("/deny_unix").status()).isEqualTo(403);
                assertThat(client.get("/addr").text()).isEqualTo("[unix:][]");
            }
        } finally {
            ferry.close();
        }
        assertThat(Files.exists(socket)).isFalse();
    }
}
