package io.ferry.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SilentPeer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** random and random two on real sockets, in groups with a zone. */
@Timeout(60)
class RandomIT {
    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();
    int port;

    private RawHttpClient.Response get(String path) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            return RawHttpClient.over(socket).send("GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
        }
    }

    @Test
    void randomSpreadsByWeightAndTwoAvoidsTheBusierPeer() throws Exception {
        HttpEchoBackend a = closer.add(HttpEchoBackend.start());
        HttpEchoBackend b = closer.add(HttpEchoBackend.start());
        SilentPeer silent = closer.add(SilentPeer.mute());
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    upstream weighted { zone w 64k; random; server 127.0.0.1:%2$d; server 127.0.0.1:%3$d weight=3; }
                    upstream two { zone w; random two; server 127.0.0.1:%2$d; server 127.0.0.1:%4$d; }
                    server {
                        listen 127.0.0.1:%1$d;
                        location /w { proxy_pass http://weighted; }
                        location /two { proxy_pass http://two; proxy_read_timeout 30s; }
                    }
                }
                """.formatted(port, a.port(), b.port(), silent.port())));
        for (int i = 0; i < 200; i++) {
            assertThat(get("/w").status()).isEqualTo(200);
        }
        assertThat(b.requests().size()).isBetween(120, 180);
        assertThat(a.requests().size() + b.requests().size()).isEqualTo(200);

        // a request the silent peer holds keeps one of its connections open
        for (int i = 0; i < 40 && silent.accepted() == 0; i++) {
            Socket held = closer.add(new Socket("127.0.0.1", port));
            held.getOutputStream().write("GET /two HTTP/1.1\r\nHost: a\r\n\r\n".getBytes());
            Thread.sleep(100);
        }
        assertThat(silent.accepted()).isEqualTo(1);
        int before = a.requests().size();
        for (int i = 0; i < 10; i++) {
            assertThat(get("/two").status()).isEqualTo(200);
        }
        assertThat(a.requests().size() - before).isEqualTo(10);
    }
}
