package io.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void portsAreDistinctBindableAndOutsideTheEphemeralRange() throws Exception {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        int low = 0;
        int high = -1;
        if (Files.isReadable(range)) {
            try (InputStream in = Files.newInputStream(range)) {
                String[] parts = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
                low = Integer.parseInt(parts[0]);
                high = Integer.parseInt(parts[1]);
            }
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            int port = FerryInstance.freePort();
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
            assertThat(port < low || port > high).as("port %d outside the ephemeral range %d-%d", port, low, high).isTrue();
        }
        int port = FerryInstance.freePort();
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }
}
