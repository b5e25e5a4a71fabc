package io.ferry.module.emptygif;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.conf.ConfException;
import io.ferry.conf.directive.ConfigLoader;
import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** empty_gif on a real Ferry: nginx's exact bytes and head, HEAD, other methods, revalidation, no inheritance. */
@Timeout(60)
class EmptyGifIT {
    /** The 43 bytes nginx sends (its ngx_empty_gif), as empty_gif.t writes them. */
    static final byte[] GIF = HexFormat.of().parseHex("47494638396101000100800100000000ffffff21f904010000010"
            + "02c00000000010001000002024c01003b");

    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        ferry.file("gif/nested/file.txt", "a file, not a gif");
        ferry.start("""
                events { }
                http {
                    server {
                        listen 127.0.0.1:%d;
                        location /gif/ {
                            empty_gif;
                            location /gif/nested/ { }
                        }
                    }
                }
                """.formatted(ferry.port()));
    }

    @Test
    void getAnswersNginxsGif() throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            RawHttpClient.Response r = c.get("/gif/pixel");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(GIF);
            assertThat(r.header("Content-Type")).isEqualTo("image/gif");
            assertThat(r.header("Content-Length")).isEqualTo("43");
            assertThat(r.header("Last-Modified")).isEqualTo("Mon, 28 Sep 1970 06:00:00 GMT");
        }
    }

    @Test
    void headHasTheHeadAndNoBody() throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            RawHttpClient.Response r = c.send("HEAD /gif/ HTTP/1.1\r\nHost: x\r\n\r\n").read(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Type")).isEqualTo("image/gif");
            assertThat(r.body()).isEmpty();
            // the connection is still in step: the next answer is the next request's
            assertThat(c.get("/gif/again").body()).isEqualTo(GIF);
        }
    }

    @Test
    void otherMethodsAreNotAllowed() throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            RawHttpClient.Response r = c.send("PUT /gif/ HTTP/1.0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.text()).contains("405 Not Allowed");
        }
    }

    @Test
    void theDateItSentRevalidates() throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            RawHttpClient.Response same = c.send("GET /gif/ HTTP/1.1\r\nHost: x\r\n"
                    + "If-Modified-Since: Mon, 28 Sep 1970 06:00:00 GMT\r\n\r\n").read();
            assertThat(same.status()).isEqualTo(304);
            assertThat(same.body()).isEmpty();
            RawHttpClient.Response other = c.send("GET /gif/ HTTP/1.1\r\nHost: x\r\n"
                    + "If-Modified-Since: Tue, 29 Sep 1970 06:00:00 GMT\r\n\r\n").read();
            assertThat(other.status()).isEqualTo(200);
            assertThat(other.body()).isEqualTo(GIF);
        }
    }

    @Test
    void aNestedLocationDoesNotInheritIt() throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            assertThat(c.get("/gif/nested/file.txt").text()).isEqualTo("a file, not a gif");
        }
    }

    @Test
    void itTakesNoArgumentAndOnlyLivesInLocations(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("a.conf");
        Files.writeString(conf, "events { }\nhttp {\n    server {\n        location / { empty_gif on; }\n    }\n}\n");
        assertThat(catchThrowableOfType(ConfException.class, () -> ConfigLoader.load(dir, conf, null)).getMessage())
                .isEqualTo("invalid number of arguments in \"empty_gif\" directive in " + conf + ":4");
        Files.writeString(conf, "events { }\nhttp {\n    server {\n        empty_gif;\n    }\n}\n");
        assertThat(catchThrowableOfType(ConfException.class, () -> ConfigLoader.load(dir, conf, null)).getMessage())
                .isEqualTo("\"empty_gif\" directive is not allowed here in " + conf + ":4");
    }
}
