package io.ferry.module.ssi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SSI on a real Ferry: files whose includes go through proxy_pass to an echo backend (output in
 * document order, set= into a variable), echo with its encodings and defaults, set, if/elif/else,
 * config errmsg, silent errors, ssi_types, and the headers a processed response loses.
 */
@Timeout(60)
class SsiIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();
    static HttpEchoBackend backend;

    @BeforeAll
    static void start() throws Exception {
        backend = HttpEchoBackend.start();
        Path html = ferry.html();
        Files.writeString(html.resolve("include.html"), "A<!--#include virtual=\"/backend/one?x=1\" -->B"
                + "<!--#include virtual=\"/local.html\" -->C<!--# include virtual=\"/backend/$arg_p\" -->D");
        Files.writeString(html.resolve("local.html"), "[local <!--#echo var=\"uri\" -->]");
        Files.writeString(html.resolve("set.html"), "<!--#include virtual=\"/backend/set\" set=\"got\" -->"
                + "<!--#if expr=\"$got\" -->seen: <!--#echo var=\"got\" encoding=\"none\" --><!--#endif -->");
        Files.writeString(html.resolve("set404.html"), "<!--#include virtual=\"/missing\" set=\"got\" -->[<!--#echo var=\"got\" -->]");
        Files.writeString(html.resolve("echo.html"), "<!--#set var=\"v\" value=\"<a&b> $arg_q\" -->"
                + "e=<!--#echo var=\"v\" -->|n=<!--#echo var=\"v\" encoding=\"none\" -->|u=<!--#echo var=\"v\" encoding=\"url\" -->"
                + "|d=<!--#echo var=\"missing\" default=\"dflt\" -->|none=<!--#echo var=\"missing\" -->");
        Files.writeString(html.resolve("if.html"), "<!--#if expr=\"$arg_a = one\" -->1<!--#elif expr=\"$arg_a = /^t(?P<mid>w)o/\" -->2$1="
                + "<!--#echo var=\"1\" -->,<!--#echo var=\"mid\" --><!--#elif expr=\"$arg_a != three\" -->not3<!--#else -->3<!--#endif -->.");
        Files.writeString(html.resolve("errors.html"), "a<!--#bogus -->b<!--#config errmsg=\"[oops]\" --><!--#echo -->c");
        Files.writeString(html.resolve("silent.html"), "a<!--#bogus -->b");
        Files.writeString(html.resolve("id.html"), "<!--#include virtual=\"/id\" -->");
        Files.writeString(html.resolve("plain.txt"), "<!--#echo var=\"uri\" -->");
        Files.writeString(html.resolve("typed.txt"), "<!--#echo var=\"uri\" -->");
        ferry.start("""
                http {
                    access_log off;
                    server {
                        listen 127.0.0.1:%d;
                        server_name a;
                        root html;
                        location / { ssi on; }
                        location /silent.html { ssi on; ssi_silent_errors on; }
                        location = /typed.txt { ssi on; ssi_types text/plain; default_type text/plain; }
                        location = /plain.txt { ssi on; default_type text/plain; }
                        location /backend/ { proxy_pass http://127.0.0.1:%d; }
                        location = /id.html { ssi on; add_header X-Request-Id $request_id; }
                        location = /id { return 200 $request_id; }
                    }
                }
                """.formatted(ferry.port(), backend.port()));
    }

    @AfterAll
    static void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    private static RawHttpClient.Response get(String uri) throws Exception {
        return ferry.get(uri);
    }

    @Test
    void includesTakeTheirCommandsPlaceInDocumentOrder() throws Exception {
        RawHttpClient.Response r = get("/include.html?p=two");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).startsWith("AGET /backend/one?x=1\nlength=0 ")
                .contains("\nB[local /local.html]CGET /backend/two\nlength=0 ")
                .endsWith("\nD");
        // the processed document has no length, and its file's validators no longer describe it
        assertThat(r.header("Content-Length")).isNull();
        assertThat(r.header("Last-Modified")).isNull();
        assertThat(r.header("ETag")).isNull();
        assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
    }

    @Test
    void keptConnectionsServeOneIncludingDocumentAfterAnother() throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            for (int i = 0; i < 3; i++) {
                RawHttpClient.Response r = c.get("/include.html?p=n" + i);
                assertThat(r.text()).contains("GET /backend/n" + i + "\n").endsWith("D");
            }
        }
    }

    @Test
    void includeSetPutsTheBodyInAVariableForWhatFollows() throws Exception {
        assertThat(get("/set.html").text()).startsWith("seen: GET /backend/set\nlength=0 ");
    }

    @Test
    void includeSetKeepsOnlyASuccessfulBody() throws Exception {
        assertThat(get("/set404.html").text()).isEqualTo("[]");
    }

    @Test
    void echoEncodesAsAskedAndFallsBackToDefaults() throws Exception {
        assertThat(get("/echo.html?q=x%20y").text()).isEqualTo(
                "e=&lt;a&amp;b&gt; x%20y|n=<a&b> x%20y|u=%3Ca&b%3E%20x%2520y|d=dflt|none=(none)");
    }

    @Test
    void ifElifElseChooseOneBranch() throws Exception {
        assertThat(get("/if.html?a=one").text()).isEqualTo("1.");
        assertThat(get("/if.html?a=two").text()).isEqualTo("2$1=w,w.");
        assertThat(get("/if.html?a=four").text()).isEqualTo("not3.");
        assertThat(get("/if.html?a=three").text()).isEqualTo("3.");
    }

    @Test
    void errorsPrintErrmsgUnlessSilent() throws Exception {
        assertThat(get("/errors.html").text())
                .isEqualTo("a[an error occurred while processing the directive]b[oops]c");
        assertThat(get("/silent.html").text()).isEqualTo("ab");
    }

    @Test
    void onlyTheConfiguredTypesAreProcessed() throws Exception {
        assertThat(get("/plain.txt").text()).isEqualTo("<!--#echo var=\"uri\" -->");
        assertThat(get("/typed.txt").text()).isEqualTo("/typed.txt");
    }

    @Test
    void anIncludeHasItsMainRequestsId() throws Exception {
        RawHttpClient.Response r = get("/id.html");
        assertThat(r.header("X-Request-Id")).matches("[0-9a-f]{32}");
        assertThat(r.text()).isEqualTo(r.header("X-Request-Id"));
    }
}
