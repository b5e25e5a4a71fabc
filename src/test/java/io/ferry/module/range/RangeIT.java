package io.ferry.module.range;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Range requests on a real Ferry: multipart answers, max_ranges, If-Range against the validators sent. */
@Timeout(60)
class RangeIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        for (String name : new String[] {"t.txt", "two.txt", "none.txt", "dated.txt"}) {
            ferry.file(name, "0123456789abcdefghij");
        }
        ferry.start("""
                events { }
                http {
                    types { text/plain txt; }
                    server {
                        listen 127.0.0.1:%d;
                        location /two.txt { max_ranges 1; }
                        location /none.txt { max_ranges 0; }
                        location /dated.txt { add_header Last-Modified "Mon, 28 Sep 1970 06:00:00 GMT"; }
                    }
                }
                """.formatted(ferry.port()));
    }

    private static RawHttpClient.Response get(String path, String... headers) throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + String.join("", headers) + "\r\n").read();
        }
    }

    @Test
    void severalRangesGoOutAsMultipartByteranges() throws Exception {
        RawHttpClient.Response r = get("/t.txt", "Range: bytes=0-2, -3\r\n");
        assertThat(r.status()).isEqualTo(206);
        String type = r.header("Content-Type");
        assertThat(type).matches("multipart/byteranges; boundary=\\d{20}");
        String boundary = type.substring(type.indexOf('=') + 1);
        assertThat(r.text()).isEqualTo("\r\n--" + boundary + "\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-2/20\r\n\r\n012"
                + "\r\n--" + boundary + "\r\nContent-Type: text/plain\r\nContent-Range: bytes 17-19/20\r\n\r\nhij"
                + "\r\n--" + boundary + "--\r\n");
        assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(r.body().length));
        assertThat(r.header("Accept-Ranges")).isNull();
    }

    @Test
    void unsatisfiableRangesGive416WithTheLength() throws Exception {
        RawHttpClient.Response r = get("/t.txt", "Range: bytes=10-11 12-\r\n");
        assertThat(r.status()).isEqualTo(416);
        assertThat(r.header("Content-Range")).isEqualTo("bytes */20");
        assertThat(r.header("ETag")).isNull();
        assertThat(r.text()).contains("416 Requested Range Not Satisfiable");
        assertThat(get("/t.txt", "Range: bytes=0-100, 0-0\r\n").status()).as("more than the file in all").isEqualTo(200);
    }

    @Test
    void maxRangesLimitsOrTurnsRangesOff() throws Exception {
        assertThat(get("/two.txt", "Range: bytes=0-1\r\n").status()).isEqualTo(206);
        RawHttpClient.Response over = get("/two.txt", "Range: bytes=0-1, 4-5\r\n");
        assertThat(over.status()).isEqualTo(200);
        assertThat(over.header("Accept-Ranges")).isEqualTo("bytes");
        RawHttpClient.Response off = get("/none.txt", "Range: bytes=0-1\r\n");
        assertThat(off.status()).isEqualTo(200);
        assertThat(off.header("Accept-Ranges")).as("max_ranges 0 offers none").isNull();
    }

    @Test
    void ifRangeComparesWithTheValidatorsSent() throws Exception {
        String etag = get("/t.txt").header("ETag");
        assertThat(get("/t.txt", "Range: bytes=0-1\r\n", "If-Range: " + etag + "\r\n").status()).isEqualTo(206);
        assertThat(get("/t.txt", "Range: bytes=0-1\r\n", "If-Range: \"other\"\r\n").status()).isEqualTo(200);
        String date = "If-Range: Mon, 28 Sep 1970 06:00:00 GMT\r\n";
        assertThat(get("/dated.txt", "Range: bytes=0-1\r\n", date).status()).as("add_header's date").isEqualTo(206);
        assertThat(get("/t.txt", "Range: bytes=0-1\r\n", date).status()).isEqualTo(200);
    }
}
