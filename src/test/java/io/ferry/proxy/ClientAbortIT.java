package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.LogFiles;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that goes away while its request waits on the upstream (nginx's broken connection
 * check): the upstream attempt ends at once and the request is logged as 499 without a header
 * time; proxy_ignore_client_abort on lets it run; bytes pipelined behind it are kept.
 */
class ClientAbortIT {
    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();

    /** Answers each request 1.5 s after its header arrived. */
    private static void slow(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                return;
            }
            head.append((char) c);
        }
        Thread.sleep(1500);
        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private int start() throws Exception {
        SocketBackend backend = closer.add(SocketBackend.start(ClientAbortIT::slow));
        int port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    log_format t '$status $upstream_header_time $request_uri';
                    access_log %s t;
                    server {
                        listen 127.0.0.1:%d;
                        location / { proxy_pass http://127.0.0.1:%d; }
                        location /ignore { proxy_pass http://127.0.0.1:%3$d; proxy_ignore_client_abort on; }
                        location /local { return 200 local; }
                    }
                }
                """.formatted(prefix.resolve("access.log"), port, backend.port())));
        return port;
    }

    @Test
    void aClientThatClosesIsLoggedAs499BeforeTheUpstreamAnswers() throws Exception {
        int port = start();
        long t0 = System.nanoTime();
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send("GET /gone HTTP/1.1\r\nHost: x\r\n\r\n");
            Thread.sleep(200);
        }
        List<String> lines = LogFiles.awaitLines(prefix.resolve("access.log"), 1);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(lines.get(0)).isEqualTo("499 - /gone");
        assertThat(ms).as("ended when the client closed, not when the upstream answered").isLessThan(1400);
    }

    @Test
    void ignoreClientAbortLetsAHalfClosedClientHaveItsAnswer() throws Exception {
        int port = start();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /ignore HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("ok");
        }
    }

    @Test
    void aRequestPipelinedBehindAProxiedOneIsServed() throws Exception {
        int port = start();
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /local HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().text()).isEqualTo("ok");
            assertThat(c.read().text()).isEqualTo("local");
        }
    }
}
