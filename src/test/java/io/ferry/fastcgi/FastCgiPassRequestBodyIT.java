package io.ferry.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * fastcgi_pass_request_body off: the application gets an empty STDIN while CONTENT_LENGTH, a
 * fastcgi_params line over the client's header, is passed as nginx passes it; the body is still read
 * from the client, so the connection stays in step.
 */
@Timeout(60)
class FastCgiPassRequestBodyIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        FakeFastCgiServer fake = closer.add(new FakeFastCgiServer(r -> FakeFastCgiServer.Answer.of(
                "Content-Type: text/plain\r\n\r\nlength=" + r.params().get("CONTENT_LENGTH")
                        + " stdin=" + new String(r.stdin(), StandardCharsets.ISO_8859_1))));
        Files.createDirectories(prefix.resolve("conf"));
        Files.copy(Path.of("conf/fastcgi_params"), prefix.resolve("conf/fastcgi_params"));
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                events { }
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        include fastcgi_params;
                        location /on/ { fastcgi_pass 127.0.0.1:%2$d; }
                        location /off/ { fastcgi_pass 127.0.0.1:%2$d; fastcgi_pass_request_body off; }
                    }
                }
                """.formatted(port, fake.port())));
    }

    private static String post(RawHttpClient c, String path) throws Exception {
        RawHttpClient.Response r = c.send("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello").read();
        assertThat(r.status()).isEqualTo(200);
        return r.text();
    }

    @Test
    void onPassesTheBodyAsStdin() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(post(c, "/on/")).isEqualTo("length=5 stdin=hello");
        }
    }

    @Test
    void offSendsAnEmptyStdinWithTheClientsContentLength() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(post(c, "/off/")).isEqualTo("length=5 stdin=");
            assertThat(post(c, "/on/")).as("the unsent body was still read off the connection").isEqualTo("length=5 stdin=hello");
        }
    }
}
