package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** proxy_pass to a unix domain socket: written in the URL, in an upstream block, or from variables. */
@Timeout(60)
class ProxyUnixSocketIT {
    @TempDir
    Path prefix;

    /** Answers each connection with the request line and Host it got, then closes it. */
    private static Thread serve(ServerSocketChannel server) {
        Thread t = new Thread(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(8192);
                    String head = "";
                    while (!head.contains("\r\n\r\n") && c.read(in) > 0) {
                        head = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
                    }
                    String line = head.substring(0, head.indexOf("\r\n"));
                    String host = head.replaceAll("(?s).*\r\nHost: ([^\r]*).*", "$1");
                    String body = line + " " + host;
                    c.write(ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: " + body.length()
                            + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1)));
                } catch (IOException e) {
                    return;
                }
            }
        }, "unix-backend");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void urlUpstreamBlockAndVariablesReachTheSocket() throws Exception {
        Path socket = prefix.resolve("u.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            serve(server);
            int port = FerryInstance.freePort();
            try (FerryInstance ignored = FerryInstance.start(prefix, """
                    http {
                        upstream u { server unix:%2$s; }
                        server { listen 127.0.0.1:%1$d;
                            location / { proxy_pass http://unix:%2$s; }
                            location /uri/ { proxy_pass http://unix:%2$s:/new/; }
                            location /u { proxy_pass http://u; }
                            location /var { proxy_pass http://$arg_b; }
                        }
                    }
                    """.formatted(port, socket));
                 RawHttpClient client = new RawHttpClient(port)) {
                assertThat(client.get("/a?x=1").text()).isEqualTo("GET /a?x=1 HTTP/1.0 localhost");
                assertThat(client.get("/uri/b").text()).isEqualTo("GET /new/b HTTP/1.0 localhost");
                assertThat(client.get("/u").text()).isEqualTo("GET /u HTTP/1.0 u");
                assertThat(client.get("/var?b=unix:" + socket + ":/v").text()).isEqualTo("GET /v HTTP/1.0 localhost");
            }
        }
    }

    @Test
    void aMissingSocketIsABadGateway() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, """
                http { server { listen 127.0.0.1:%d; location / { proxy_pass http://unix:%s; } } }
                """.formatted(port, prefix.resolve("none.sock")));
             RawHttpClient client = new RawHttpClient(port)) {
            assertThat(client.get("/").status()).isEqualTo(502);
        }
    }
}
