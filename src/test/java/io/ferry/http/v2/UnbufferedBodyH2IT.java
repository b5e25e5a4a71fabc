package io.ferry.http.v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.H2BodyClient;
import io.ferry.testing.SocketBackend;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unbuffered HTTP/2 request body goes upstream one chunk per read of the client's connection, as nginx sends it. */
class UnbufferedBodyH2IT {
    @TempDir
    Path prefix;

    @Test
    void framesReadTogetherGoUpstreamAsOneChunk() throws Exception {
        CompletableFuture<String> chunk = new CompletableFuture<>();
        int port = FerryInstance.freePort();
        try (SocketBackend backend = SocketBackend.start(s -> {
                    InputStream in = s.getInputStream();
                    SocketBackend.readHead(in);
                    byte[] first = new byte[16];
                    int n = in.read(first);
                    chunk.complete(new String(first, 0, n, StandardCharsets.ISO_8859_1));
                    Thread.sleep(2000);
                });
                FerryInstance ignored = FerryInstance.start(prefix, """
                        http {
                            server {
                                listen 127.0.0.1:%d;
                                http2 on;
                                location / {
                                    proxy_request_buffering off;
                                    proxy_http_version 1.1;
                                    proxy_pass http://127.0.0.1:%d;
                                }
                            }
                        }
                        """.formatted(port, backend.port()));
                H2BodyClient c = new H2BodyClient(port)) {
            c.request(1, "POST", "/", false);
            Thread.sleep(300);
            c.dataTogether(1, "01234", "many");
            assertThat(chunk.get(5, TimeUnit.SECONDS)).isEqualTo("9\r\n01234many\r\n");
        }
    }
}
