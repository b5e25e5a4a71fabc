package io.ferry.module.ssi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SSI on a real Ferry, second part: blocks standing in for includes that fail or come back empty
 * (their commands run with the subrequest's variables), escaped include paths, $date_gmt outside
 * SSI and under config timefmt, an include under gzip compressed once, and output_buffers' piece size.
 */
@Timeout(60)
class SsiBlockIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        Path html = ferry.html();
        Files.writeString(html.resolve("local.html"), "[local <!--#echo var=\"uri\" -->]");
        Files.writeString(html.resolve("empty.html"), "");
        Files.writeString(html.resolve("stub.html"), "<!--#block name=\"one\" --><!--#if expr=\"$arg_a\" -->A="
                + "<!--#echo var=\"arg_a\" --><!--#else -->none<!--#endif --><!--#endblock -->x"
                + "<!--#include virtual=\"/missing?$args\" stub=\"one\" -->x<!--#include virtual=\"/local.html\" stub=\"one\" -->x"
                + "<!--#include virtual=\"/empty.html?$args\" stub=\"one\" -->x");
        Files.writeString(html.resolve("nostub.html"), "a<!--#include virtual=\"/local.html\" stub=\"nope\" -->b"
                + "<!--#include virtual=\"/local.html\" stub=\"nope\" set=\"v\" -->c");
        Files.writeString(html.resolve("escaped.html"), "<!--#block name=\"gone\" -->404<!--#endblock -->"
                + "<!--#include virtual=\"/loc%61l.html?x=1\" --><!--#include virtual=\"/local.html%3fx=1\" stub=\"gone\" -->");
        Files.writeString(html.resolve("date.html"), "<!--#config timefmt=\"%Y\" --><!--#echo var=\"date_gmt\" -->");
        Files.createDirectories(html.resolve("gz"));
        Files.writeString(html.resolve("gz/main.html"), "<!--#include virtual=\"/gz/part.html\" -->!");
        Files.writeString(html.resolve("gz/part.html"), "part ".repeat(100));
        Files.writeString(html.resolve("big.html"), "y".repeat(1100));
        ferry.start("""
                http {
                    access_log off;
                    server {
                        listen 127.0.0.1:%d;
                        server_name a;
                        root html;
                        location / { ssi on; }
                        location = /date { add_header X-Date x${date_gmt}x; return 204; }
                        location /gz/ { ssi on; gzip on; gzip_min_length 1; }
                        location = /big.html { ssi on; output_buffers 1 512; }
                    }
                }
                """.formatted(ferry.port()));
    }

    private static RawHttpClient.Response get(String uri) throws Exception {
        return ferry.get(uri);
    }

    @Test
    void aStubStandsInForAnErrorOrAnEmptyBodyAndRunsItsCommandsInTheSubrequest() throws Exception {
        assertThat(get("/stub.html?a=1").text()).isEqualTo("xA=1x[local /local.html]xA=1x");
        assertThat(get("/stub.html").text()).isEqualTo("xnonex[local /local.html]xnonex");
    }

    @Test
    void anUnknownStubOrOneWithSetIsAnError() throws Exception {
        String err = "[an error occurred while processing the directive]";
        assertThat(get("/nostub.html").text()).isEqualTo("a" + err + "b" + err + "c");
    }

    @Test
    void anIncludePathIsUnescapedAfterItsArgumentsAreSplitOff() throws Exception {
        // an escaped "?" is part of the file name: no such file, so the stub answers
        assertThat(get("/escaped.html").text()).isEqualTo("[local /local.html]404");
    }

    @Test
    void dateVariablesWorkOutsideSsiAndFollowTimefmtInside() throws Exception {
        assertThat(get("/date").header("X-Date")).matches("x\\w+, \\d\\d-\\w{3}-\\d{4} \\d\\d:\\d\\d:\\d\\d GMTx");
        assertThat(get("/date.html").text()).matches("\\d{4}");
    }

    @Test
    void anIncludeUnderGzipIsCompressedOnceWithTheDocument() throws Exception {
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            RawHttpClient.Response r = c.send("GET /gz/main.html HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n").read();
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("part ".repeat(100) + "!");
            }
        }
    }

    @Test
    void aFilteredFileIsReadInPiecesOfOutputBuffersSize() throws Exception {
        try (Socket s = new Socket("127.0.0.1", ferry.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET /big.html HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String raw = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            String body = raw.substring(raw.indexOf("\r\n\r\n") + 4);
            List<Integer> sizes = new ArrayList<>();
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            int at = 0;
            while (true) {
                int eol = body.indexOf("\r\n", at);
                int size = Integer.parseInt(body.substring(at, eol), 16);
                if (size == 0) {
                    break;
                }
                sizes.add(size);
                content.writeBytes(body.substring(eol + 2, eol + 2 + size).getBytes(StandardCharsets.ISO_8859_1));
                at = eol + 2 + size + 2;
            }
            assertThat(content.toString(StandardCharsets.US_ASCII)).isEqualTo("y".repeat(1100));
            assertThat(sizes).allMatch(n -> n <= 512).hasSizeGreaterThanOrEqualTo(3);
        }
    }
}
