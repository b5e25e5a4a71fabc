package io.ferry.module.ssi;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SSI parser on bodies cut into pieces anywhere, a command's bytes included. */
class SsiParserTest {
    private static final String DOC = "<p>a < b <!-- plain comment --> <!-<!--#echo var=\"x\" encoding='none' -->"
            + "mid<!--# include virtual=\"/i?a=1\" set=\"v\"-->"
            + "<!--#if expr=\"$a = /\\\"x-->/\" --><!--#endif-->end<!--";

    /** Runs {@code doc} through a parser in pieces of {@code size} bytes: text joined, commands rendered in brackets. */
    private static String run(String doc, int size) {
        SsiParser parser = new SsiParser(255);
        byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < bytes.length; i += size) {
            ByteBuf in = Unpooled.copiedBuffer(bytes, i, Math.min(size, bytes.length - i));
            Object event;
            while ((event = parser.next(in)) != null) {
                render(event, out);
            }
            assertThat(in.isReadable()).isFalse();
            in.release();
        }
        ByteBuf rest = parser.rest();
        if (rest != null) {
            out.append(rest.toString(StandardCharsets.UTF_8));
            rest.release();
        }
        return out.toString();
    }

    private static void render(Object event, StringBuilder out) {
        if (event instanceof SsiParser.Text t) {
            out.append(t.bytes().toString(StandardCharsets.UTF_8));
            t.bytes().release();
        } else {
            SsiParser.Command c = (SsiParser.Command) event;
            out.append('[').append(c.error() != null ? "error: " + c.error() : c.name() + " " + c.params()).append(']');
        }
    }

    @Test
    void theSameEventsWhereverTheBodyIsCut() {
        String whole = run(DOC, DOC.length());
        assertThat(whole).isEqualTo("<p>a < b <!-- plain comment --> <!-[echo {var=x, encoding=none}]"
                + "mid[include {virtual=/i?a=1, set=v}][if {expr=$a = /\"x-->/}][endif {}]end<!--");
        for (int size = 1; size < 12; size++) {
            assertThat(run(DOC, size)).as("pieces of %d bytes", size).isEqualTo(whole);
        }
    }

    @Test
    void theSameEventsWhereverOneCutFalls() {
        String whole = run(DOC, DOC.length());
        byte[] bytes = DOC.getBytes(StandardCharsets.UTF_8);
        for (int cut = 1; cut < bytes.length; cut++) {
            SsiParser parser = new SsiParser(255);
            StringBuilder out = new StringBuilder();
            for (ByteBuf in : new ByteBuf[] {Unpooled.copiedBuffer(bytes, 0, cut), Unpooled.copiedBuffer(bytes, cut, bytes.length - cut)}) {
                Object event;
                while ((event = parser.next(in)) != null) {
                    render(event, out);
                }
                in.release();
            }
            ByteBuf rest = parser.rest();
            if (rest != null) {
                out.append(rest.toString(StandardCharsets.UTF_8));
                rest.release();
            }
            assertThat(out.toString()).as("cut after byte %d", cut).isEqualTo(whole);
        }
    }

    @Test
    void anUnfinishedCommandAtTheEndIsText() {
        assertThat(run("a<!--#echo var=\"x\"", 3)).isEqualTo("a<!--#echo var=\"x\"");
    }

    @Test
    void malformedCommandsAreErrors() {
        assertThat(run("<!--#echo var=x -->", 4)).startsWith("[error: invalid \"var\" parameter");
        assertThat(run("<!--# -->", 4)).startsWith("[error: invalid SSI command");
        assertThat(run("<!--#echo var=\"a\" var=\"b\" -->", 4)).startsWith("[error: duplicate \"var\"");
        assertThat(run("<!--#echo var=\"a\"var=\"b\" -->", 4)).startsWith("[error: unexpected");
    }

    @Test
    void aValueLongerThanTheLimitIsAnError() {
        SsiParser.Command c = SsiParser.parse("set var=\"x\" value=\"" + "v".repeat(11) + "\" ", 10);
        assertThat(c.error()).isEqualTo("too long \"value\" parameter value in \"set\" SSI command");
        assertThat(SsiParser.parse("set var=\"x\" value=\"" + "v".repeat(10) + "\"", 10).params())
                .isEqualTo(Map.of("var", "x", "value", "v".repeat(10)));
    }

    @Test
    void aCommandFarLongerThanAnyValidOneIsRefusedWithoutKeepingIt() {
        String doc = "<!--#echo var=\"" + "x".repeat(10_000) + "\" -->after";
        String out = run(doc, 100);
        assertThat(out).isEqualTo("[error: the SSI command is too long]after");
    }
}
