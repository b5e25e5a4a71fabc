package io.ferry.uwsgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * uwsgi_modifier1/uwsgi_modifier2 on the wire, read by a peer that speaks the uwsgi packet itself
 * (uWSGI's python plugin answers modifier1 0 only), and a response that is bare CGI headers.
 */
@Timeout(30)
class UwsgiModifiersIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        SocketBackend peer = closer.add(SocketBackend.start(s -> {
            InputStream in = s.getInputStream();
            int modifier1 = in.read();
            int size = in.read() | in.read() << 8;
            int modifier2 = in.read();
            byte[] vars = new DataInputStream(in).readNBytes(size);
            String body = "modifier1=" + modifier1 + " modifier2=" + modifier2 + " vars=" + size
                    + " has=" + new String(vars, StandardCharsets.ISO_8859_1).contains("REQUEST_URI");
            s.getOutputStream().write(("Content-Type: text/plain\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
            s.close();
        }));
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                events { }
                http {
                    uwsgi_modifier1 30;
                    server {
                        listen 127.0.0.1:%1$d;
                        uwsgi_param REQUEST_URI $request_uri;
                        location /inherited { uwsgi_pass 127.0.0.1:%2$d; }
                        location /own { uwsgi_pass 127.0.0.1:%2$d; uwsgi_modifier1 5; uwsgi_modifier2 9; }
                    }
                }
                """.formatted(port, peer.port())));
    }

    private static String get(String target) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            RawHttpClient.Response r = c.get(target);
            assertThat(r.status()).isEqualTo(200);
            return r.text();
        }
    }

    @Test
    void theModifiersAreThePacketsFirstAndLastHeaderBytes() throws Exception {
        // REQUEST_URI, then the client's Host as HTTP_HOST, each name and value behind two length bytes
        int vars = 2 + "REQUEST_URI".length() + 2 + "/inherited".length() + 2 + "HTTP_HOST".length() + 2 + "localhost".length();
        assertThat(get("/inherited")).isEqualTo("modifier1=30 modifier2=0 vars=" + vars + " has=true");
        assertThat(get("/own")).startsWith("modifier1=5 modifier2=9 ");
    }
}
