package io.ferry.module.headers;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** add_trailer on a real Ferry, the bytes after the last chunk compared exactly. */
@Timeout(60)
class TrailersIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        ferry.file("t1", "SEE-THIS");
        ferry.file("plain", "SEE-THIS");
        ferry.start("""
                events { }
                http {
                    server {
                        listen 127.0.0.1:%d;
                        server_name localhost;
                        add_trailer X-Var $host;
                        add_trailer X-Empty '';
                        add_trailer X-Always yes always;
                        add_trailer X-Copy $sent_trailer_x_var;
                        location /t1 { }
                        location /nx { }
                        location /not_chunked { chunked_transfer_encoding off; alias html/t1; }
                        location /plain { add_header X-H h; add_trailer X-Own own; }
                        location /multi {
                            add_trailer Foo foo;
                            add_trailer Foo bar;
                            add_trailer X-Foo $sent_trailer_foo;
                            return 200 "";
                        }
                    }
                }
                """.formatted(ferry.port()));
    }

    /** The whole answer to one request on a connection the server closes. */
    private static String exchange(String method, String target, String version) throws Exception {
        try (Socket s = new Socket("127.0.0.1", ferry.port())) {
            s.getOutputStream().write((method + " " + target + " " + version + "\r\nHost: localhost\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String head(String response) {
        return response.substring(0, response.indexOf("\r\n\r\n") + 2);
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void theFieldsFollowTheLastChunkAndTheResponseIsChunkedInstead() throws Exception {
        String r = exchange("GET", "/t1", "HTTP/1.1");
        assertThat(head(r)).contains("\r\nTransfer-Encoding: chunked\r\n").doesNotContain("Content-Length")
                .doesNotContain("X-Var");
        assertThat(body(r)).isEqualTo("8\r\nSEE-THIS\r\n0\r\nX-Var: localhost\r\nX-Always: yes\r\n"
                + "X-Copy: localhost\r\n\r\n");
    }

    @Test
    void anErrorStatusGetsOnlyTheAlwaysFields() throws Exception {
        String r = exchange("GET", "/nx", "HTTP/1.1");
        assertThat(r).startsWith("HTTP/1.1 404 ");
        assertThat(body(r)).endsWith("\r\n0\r\nX-Always: yes\r\n\r\n");
    }

    @Test
    void aLocationWithLinesOfItsOwnSendsOnlyThose() throws Exception {
        String r = exchange("GET", "/plain", "HTTP/1.1");
        assertThat(head(r)).contains("\r\nX-H: h\r\n");
        assertThat(body(r)).isEqualTo("8\r\nSEE-THIS\r\n0\r\nX-Own: own\r\n\r\n");
    }

    @Test
    void sentTrailerJoinsTheFieldsOfOneName() throws Exception {
        assertThat(body(exchange("GET", "/multi", "HTTP/1.1")))
                .isEqualTo("0\r\nFoo: foo\r\nFoo: bar\r\nX-Foo: foo, bar\r\n\r\n");
    }

    @Test
    void http10HeadAndChunkingOffKeepTheLengthAndSendNoFields() throws Exception {
        String old = exchange("GET", "/t1", "HTTP/1.0");
        assertThat(head(old)).contains("\r\nContent-Length: 8\r\n").doesNotContain("Transfer-Encoding");
        assertThat(body(old)).isEqualTo("SEE-THIS");

        String head = exchange("HEAD", "/t1", "HTTP/1.1");
        assertThat(head).contains("\r\nContent-Length: 8\r\n").doesNotContain("Transfer-Encoding")
                .doesNotContain("X-Always").endsWith("\r\n\r\n");

        String off = exchange("GET", "/not_chunked", "HTTP/1.1");
        assertThat(head(off)).contains("\r\nContent-Length: 8\r\n").doesNotContain("Transfer-Encoding");
        assertThat(body(off)).isEqualTo("SEE-THIS");
    }
}
