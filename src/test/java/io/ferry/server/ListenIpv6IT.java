package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** listen [::1]:PORT next to 127.0.0.1:PORT, and the addresses the variables print for IPv6. */
class ListenIpv6IT {
    @TempDir
    Path prefix;

    private static boolean loopbackV6() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void ipv6LoopbackServesWithNginxsSpellingOfTheAddresses() throws Exception {
        assumeTrue(loopbackV6(), "no IPv6 on loopback");
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        listen [::1]:%1$d backlog=64 so_keepalive=on;
                        location / { return 200 "$server_addr:$server_port $remote_addr"; }
                    }
                }
                """.formatted(port))) {
            try (RawHttpClient v6 = RawHttpClient.over(new Socket("::1", port))) {
                assertThat(v6.get("/").text()).isEqualTo("::1:" + port + " ::1");
            }
            try (RawHttpClient v4 = new RawHttpClient(port)) {
                assertThat(v4.get("/").text()).isEqualTo("127.0.0.1:" + port + " 127.0.0.1");
            }
        }
    }
}
