package io.ferry.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.http.syntax.HttpDate;
import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** etag and if_modified_since on a real Ferry: the ETag left out, and the three ways of comparing dates. */
@Timeout(60)
class FileValidatorsIT {
    private static final long MTIME = 1_700_000_000L;

    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        for (String dir : new String[] {"exact", "before", "off", "noetag"}) {
            Path f = ferry.prefix().resolve("html/" + dir + "/t.txt");
            Files.createDirectories(f.getParent());
            Files.writeString(f, "text");
            Files.setLastModifiedTime(f, FileTime.from(Instant.ofEpochSecond(MTIME)));
        }
        ferry.start("""
                events { }
                http {
                    server {
                        listen 127.0.0.1:%d;
                        location /before/ { if_modified_since before; }
                        location /off/ { if_modified_since off; }
                        location /noetag/ { etag off; }
                    }
                }
                """.formatted(ferry.port()));
    }

    private static int status(String path, String header) throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + header + "\r\nConnection: close\r\n\r\n").read().status();
        }
    }

    @Test
    void exactIsTheDefault() throws Exception {
        assertThat(status("/exact/t.txt", "If-Modified-Since: " + HttpDate.format(MTIME))).isEqualTo(304);
        assertThat(status("/exact/t.txt", "If-Modified-Since: " + HttpDate.format(MTIME + 60))).isEqualTo(200);
    }

    @Test
    void beforeTakesAnyLaterDate() throws Exception {
        assertThat(status("/before/t.txt", "If-Modified-Since: " + HttpDate.format(MTIME + 60))).isEqualTo(304);
        assertThat(status("/before/t.txt", "If-Modified-Since: " + HttpDate.format(MTIME - 60))).isEqualTo(200);
    }

    @Test
    void offNeverAnswers304ToADate() throws Exception {
        assertThat(status("/off/t.txt", "If-Modified-Since: " + HttpDate.format(MTIME))).isEqualTo(200);
    }

    @Test
    void etagOffSendsNoneAndMatchesOnlyStar() throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            RawHttpClient.Response r = c.get("/noetag/t.txt");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("ETag")).isNull();
            assertThat(r.header("Last-Modified")).isEqualTo(HttpDate.format(MTIME));
        }
        String etag = Preconditions.etag(MTIME, 4);
        assertThat(status("/noetag/t.txt", "If-None-Match: " + etag)).isEqualTo(200);
        assertThat(status("/noetag/t.txt", "If-None-Match: *")).isEqualTo(304);
        assertThat(status("/exact/t.txt", "If-None-Match: " + etag)).isEqualTo(304);
    }
}
