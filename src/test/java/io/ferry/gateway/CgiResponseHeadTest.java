package io.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CGI header block of a FastCGI response, as nginx reads it from STDOUT. */
class CgiResponseHeadTest {
    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static ByteBuf feed(CgiResponseHead head, String s) throws Exception {
        ByteBuf in = ascii(s);
        try {
            return head.feed(ByteBufAllocator.DEFAULT, in);
        } finally {
            in.release();
        }
    }

    @Test
    void headersSplitAcrossRecordsEndAtTheEmptyLineAndTheRestIsBody() throws Exception {
        CgiResponseHead head = new CgiResponseHead(4096);
        assertThat(feed(head, "Content-type: text/html; charset=UTF-8\r\nSet-Cookie: a=1\r")).isNull();
        assertThat(feed(head, "\nSet-Cookie: b=2\r\n")).isNull();
        ByteBuf rest = feed(head, "\r\n<html>");
        assertThat(rest.toString(StandardCharsets.US_ASCII)).isEqualTo("<html>");
        rest.release();
        CgiResponseHead.Parsed p = head.parse();
        assertThat(p.status()).isEqualTo(200);
        assertThat(p.headers()).containsExactly(Map.entry("Content-type", "text/html; charset=UTF-8"),
                Map.entry("Set-Cookie", "a=1"), Map.entry("Set-Cookie", "b=2"));
    }

    @Test
    void bareLineFeedsAreAccepted() throws Exception {
        CgiResponseHead head = new CgiResponseHead(4096);
        ByteBuf rest = feed(head, "Status: 404 Not Found\nX-A: 1\n\nmissing");
        assertThat(rest.toString(StandardCharsets.US_ASCII)).isEqualTo("missing");
        rest.release();
        assertThat(head.parse().status()).isEqualTo(404);
        assertThat(head.parse().reason()).isEqualTo("Not Found");
    }

    @Test
    void statusHeaderGivesTheStatusWithItsReasonAndStaysForFastcgiPassHeader() throws Exception {
        CgiResponseHead.Parsed p = CgiResponseHead.parse(List.of("Status: 418 I'm a teapot", "X-Powered-By: PHP"));
        assertThat(p.status()).isEqualTo(418);
        assertThat(p.reason()).isEqualTo("I'm a teapot");
        assertThat(p.headers()).containsExactly(Map.entry("Status", "418 I'm a teapot"), Map.entry("X-Powered-By", "PHP"));
        assertThat(CgiResponseHead.parse(List.of("Status: 503")).reason()).isNull();
    }

    @Test
    void locationWithoutStatusIsAFoundRedirect() throws Exception {
        CgiResponseHead.Parsed p = CgiResponseHead.parse(List.of("Location: /login"));
        assertThat(p.status()).isEqualTo(302);
        assertThat(p.header("location")).isEqualTo("/login");
        assertThat(CgiResponseHead.parse(List.of("Status: 301", "Location: /x")).status()).isEqualTo(301);
    }

    @Test
    void hopByHopHeadersNeverReachTheClientWhileAccelOnesAreLeftToFastcgiHideHeader() throws Exception {
        CgiResponseHead.Parsed p = CgiResponseHead.parse(List.of("Connection: close", "Transfer-Encoding: chunked",
                "X-Accel-Redirect: /internal", "Keep-Alive: timeout=5", "Content-Length: 5"));
        assertThat(p.headers()).containsExactly(Map.entry("X-Accel-Redirect", "/internal"), Map.entry("Content-Length", "5"));
    }

    @Test
    void anEmptyHeaderBlockMeans200() throws Exception {
        CgiResponseHead head = new CgiResponseHead(4096);
        ByteBuf rest = feed(head, "\r\nbody");
        assertThat(rest.toString(StandardCharsets.US_ASCII)).isEqualTo("body");
        rest.release();
        assertThat(head.parse().status()).isEqualTo(200);
        assertThat(head.parse().headers()).isEmpty();
    }

    @Test
    void invalidLinesAndStatusesAreRefused() {
        assertThatThrownBy(() -> CgiResponseHead.parse(List.of("no colon here")))
                .hasMessageContaining("upstream sent invalid header");
        assertThatThrownBy(() -> CgiResponseHead.parse(List.of("Bad Name: x")))
                .hasMessageContaining("upstream sent invalid header");
        assertThatThrownBy(() -> CgiResponseHead.parse(List.of("Status: abc")))
                .hasMessageContaining("upstream sent invalid status \"abc\"");
        assertThatThrownBy(() -> CgiResponseHead.parse(List.of("Status: 20")))
                .hasMessageContaining("invalid status");
    }

    @Test
    void aHeaderBlockBeyondTheLimitIsTooBig() throws Exception {
        CgiResponseHead head = new CgiResponseHead(64);
        assertThat(feed(head, "X-A: " + "a".repeat(40) + "\r\n")).isNull();
        assertThatThrownBy(() -> feed(head, "X-B: " + "b".repeat(40) + "\r\n"))
                .hasMessageContaining("upstream sent too big header");
        head.release();
    }
}
