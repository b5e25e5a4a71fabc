package io.ferry.module.sub;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sub_filter on a real Ferry: files (validators dropped or weakened), a proxied upstream that sends
 * a search string cut across two writes, types, variables on both sides, and an upstream that
 * breaks off: the client gets all it sent, and no end of the body.
 */
@Timeout(60)
class SubFilterIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();
    static SocketBackend backend;

    @BeforeAll
    static void start() throws Exception {
        backend = SocketBackend.start(s -> {
            String head = SocketBackend.readHead(s.getInputStream());
            if (head.startsWith("GET /split")) {
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 14\r\n"
                        + "Connection: close\r\n\r\n<p>hel");
                Thread.sleep(200);
                SocketBackend.write(s, "lo</p>\r\n");
            } else {
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100\r\n"
                        + "Connection: close\r\n\r\nhello unfinished");
            }
        });
        ferry.file("page.html", "Hello, hello world");
        ferry.file("plain.txt", "hello");
        ferry.start("""
                http {
                    access_log off;
                    server {
                        listen 127.0.0.1:%d;
                        server_name a;
                        root html;
                        sub_filter hello bye;
                        location / { }
                        location /many/ { alias html/; sub_filter_once off; sub_filter_last_modified on; }
                        location /typed/ { alias html/; sub_filter_types text/plain; }
                        location /var/ { alias html/; sub_filter $arg_s [$arg_r]; }
                        location /up/ {
                            sub_filter_once off;
                            proxy_pass http://127.0.0.1:%d/;
                            proxy_buffering off;
                        }
                        location /upb/ { proxy_pass http://127.0.0.1:%d/; }
                    }
                }
                """.formatted(ferry.port(), backend.port(), backend.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (backend != null) {
            backend.close();
        }
    }

    private static RawHttpClient.Response get(String uri) throws Exception {
        return ferry.get(uri);
    }

    @Test
    void firstOccurrenceOnlyByDefaultAndValidatorsDropped() throws Exception {
        RawHttpClient.Response r = get("/page.html");
        assertThat(r.text()).isEqualTo("bye, hello world");
        assertThat(r.header("Content-Length")).isNull();
        assertThat(r.header("Last-Modified")).isNull();
        assertThat(r.header("ETag")).isNull();
    }

    @Test
    void everyOccurrenceWithOnceOffAndWeakValidatorsWithLastModified() throws Exception {
        RawHttpClient.Response r = get("/many/page.html");
        assertThat(r.text()).isEqualTo("bye, bye world");
        assertThat(r.header("Last-Modified")).isNotNull();
        assertThat(r.header("ETag")).startsWith("W/\"");
    }

    @Test
    void onlyTheConfiguredTypes() throws Exception {
        assertThat(get("/plain.txt").text()).isEqualTo("hello");
        assertThat(get("/typed/plain.txt").text()).isEqualTo("bye");
    }

    @Test
    void variablesInSearchAndReplacement() throws Exception {
        assertThat(get("/var/page.html?s=WORLD&r=all").text()).isEqualTo("Hello, hello [all]");
    }

    @Test
    void aStringCutAcrossUpstreamWritesIsFound() throws Exception {
        assertThat(get("/up/split").text()).isEqualTo("<p>bye</p>\r\n");
    }

    @Test
    void aBrokenOffResponseReachesTheClientWithoutItsEnd() throws Exception {
        for (String uri : new String[] {"/up/cut", "/upb/cut"}) {
            try (Socket c = new Socket("127.0.0.1", ferry.port())) {
                c.getOutputStream().write(("GET " + uri + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String raw = new String(c.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(raw).contains("bye unfinished").doesNotContain("\r\n0\r\n\r\n");
            }
        }
    }
}
