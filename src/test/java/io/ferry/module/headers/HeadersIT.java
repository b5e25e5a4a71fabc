package io.ferry.module.headers;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.http.syntax.HttpDate;
import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.LogFiles;
import io.ferry.testing.RawHttpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * expires on a real Ferry (from now, from Last-Modified, a time of day, negative, values from variables)
 * and add_header on the headers nginx keeps one of.
 */
@Timeout(60)
class HeadersIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        ferry.file("file", "x");
        // empty_gif answers with Last-Modified: Mon, 28 Sep 1970 06:00:00 GMT
        ferry.start("""
                events { }
                http {
                    log_format sent "$sent_http_x_two";
                    server {
                        listen 127.0.0.1:%d;
                        location /access { expires 2048; return 204; }
                        location /negative { expires -1h; return 204; }
                        location /daily { expires @33s; return 204; }
                        location /modified { expires modified 2048; empty_gif; }
                        location /var { expires $arg_e; empty_gif; }
                        location /var_modified { expires modified $arg_e; empty_gif; }
                        location /error { expires 1h; return 404; }
                        location /lf { add_header X-Foo "x:$arg_x\\n"; return 204; }
                        location /sent {
                            add_header X-Two a;
                            add_header X-Two b;
                            access_log logs/sent.log sent;
                            return 204;
                        }
                        location /file {
                            add_header ETag foo;
                            add_header ETag '';
                            add_header Last-Modified "Mon, 28 Sep 1970 07:00:00 GMT";
                            add_header X-Two a;
                            add_header X-Two b;
                        }
                    }
                }
                """.formatted(ferry.port()));
    }

    private static RawHttpClient.Response get(String target) throws Exception {
        return ferry.get(target);
    }

    @Test
    void aTimeCountsFromNow() throws Exception {
        RawHttpClient.Response r = get("/access");
        assertThat(r.header("Cache-Control")).isEqualTo("max-age=2048");
        long expires = HttpDate.parse(r.header("Expires"));
        assertThat(expires - System.currentTimeMillis() / 1000).isBetween(2040L, 2050L);
    }

    @Test
    void aNegativeTimeForbidsCaching() throws Exception {
        RawHttpClient.Response r = get("/negative");
        assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(HttpDate.parse(r.header("Expires"))).isLessThan(System.currentTimeMillis() / 1000);
    }

    @Test
    void aTimeOfDayIsTheNextOneToCome() throws Exception {
        RawHttpClient.Response r = get("/daily");
        assertThat(r.header("Expires")).endsWith(":33 GMT");
        long ahead = HttpDate.parse(r.header("Expires")) - System.currentTimeMillis() / 1000;
        assertThat(ahead).isBetween(0L, 24 * 3600L);
        assertThat(r.header("Cache-Control")).startsWith("max-age=");
    }

    @Test
    void modifiedCountsFromLastModified() throws Exception {
        RawHttpClient.Response r = get("/modified");
        assertThat(r.header("Expires")).isEqualTo("Mon, 28 Sep 1970 06:34:08 GMT");
        assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
    }

    @Test
    void aValueFromAVariableIsReadPerRequest() throws Exception {
        assertThat(get("/var?e=epoch").header("Expires")).isEqualTo("Thu, 01 Jan 1970 00:00:01 GMT");
        assertThat(get("/var?e=max").header("Cache-Control")).isEqualTo("max-age=315360000");
        assertThat(get("/var?e=2048").header("Cache-Control")).isEqualTo("max-age=2048");
        assertThat(get("/var?e=@33s").header("Expires")).endsWith(":33 GMT");
        assertThat(get("/var_modified?e=2048").header("Expires")).isEqualTo("Mon, 28 Sep 1970 06:34:08 GMT");
    }

    @Test
    void aVariableValueThatDoesNotParseSetsNothing() throws Exception {
        for (String target : new String[] {"/var", "/var?e=off", "/var?e=bad", "/var_modified?e=epoch"}) {
            RawHttpClient.Response r = get(target);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Expires")).as(target).isNull();
            assertThat(r.header("Cache-Control")).as(target).isNull();
        }
    }

    @Test
    void anErrorResponseGetsNone() throws Exception {
        assertThat(get("/error").header("Expires")).isNull();
    }

    @Test
    void addHeaderReplacesOrRemovesETagAndLastModifiedAndAddsTheRest() throws Exception {
        RawHttpClient.Response r = get("/file");
        assertThat(r.all("ETag")).isEmpty();
        assertThat(r.all("Last-Modified")).containsExactly("Mon, 28 Sep 1970 07:00:00 GMT");
        assertThat(r.all("X-Two")).containsExactly("a", "b");
    }

    @Test
    void datesHaveTwoDigitDays() throws Exception {
        assertThat(get("/var?e=epoch").header("Expires")).isEqualTo("Thu, 01 Jan 1970 00:00:01 GMT");
        assertThat(HttpDate.format(0)).isEqualTo("Thu, 01 Jan 1970 00:00:00 GMT");
    }

    @Test
    void aValueIsSentAsWrittenEvenWithALineFeed() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", ferry.port())) {
            s.getOutputStream().write("GET /lf?x=1 HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 204").contains("\r\nX-Foo: x:1\n\r\n");
        }
    }

    @Test
    void sentHttpJoinsTheFieldsOfOneName() throws Exception {
        get("/sent");
        assertThat(LogFiles.awaitLines(ferry.prefix().resolve("logs/sent.log"), 1)).containsExactly("a, b");
    }
}
