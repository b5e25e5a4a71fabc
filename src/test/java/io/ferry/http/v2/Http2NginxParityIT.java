package io.ferry.http.v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.H2HeadersClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where HTTP/2 meets the rest of a server as nginx's does: $request_length counts the header block as
 * sent, a name whose server has http2 off is misdirected on a connection another name opened, a preface
 * that goes wrong is a bad request, and an HTTP/1 method byte nginx refuses is refused before the line ends.
 */
@Timeout(60)
class Http2NginxParityIT {
    @TempDir
    Path prefix;

    @Test
    void requestLengthMisdirectionAndBrokenPrefaces() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        server_name localhost;
                        http2 on;
                        location / { return 200 "length $request_length"; }
                    }
                    server {
                        listen 127.0.0.1:%1$d;
                        server_name off.test;
                        http2 off;
                        location / { return 200 "served"; }
                    }
                }
                """.formatted(port))) {
            try (H2HeadersClient c = new H2HeadersClient(port)) {
                // four literal fields without indexing: 1 + (1+7) + (1+3) each for :method GET ... = the block's bytes
                String[] fields = {":method", "GET", ":scheme", "http", ":path", "/", ":authority", "localhost"};
                int block = 0;
                for (int i = 0; i < fields.length; i += 2) {
                    block += 1 + 1 + fields[i].length() + 1 + fields[i + 1].length();
                }
                assertThat(c.request(fields).body()).isEqualTo("length " + block);
                assertThat(c.request(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "off.test").status())
                        .as("a server with http2 off").isEqualTo("421");
            }
            assertThat(raw(port, "PRI * HTTP/2.0\r\n\r\nxxxxxxxx")).startsWith("HTTP/1.1 400 Bad Request");
            assertThat(raw(port, "xxxxxxxxxxxxxxxx")).as("no line end needed").startsWith("HTTP/1.1 400 Bad Request");
        }
    }

    private static String raw(int port, String sent) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(sent.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readNBytes(24), StandardCharsets.ISO_8859_1);
        }
    }
}
