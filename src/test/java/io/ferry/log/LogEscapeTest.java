package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.log.LogFormat.Escape;
import org.junit.jupiter.api.Test;

/** log_format escape=default|json|none, byte for byte as nginx's ngx_http_log_escape and ngx_escape_json write them. */
class LogEscapeTest {

    @Test
    void defaultEscapesQuoteBackslashControlAndNonAsciiBytesAsUpperCaseHex() {
        assertThat(LogEscape.apply(Escape.DEFAULT, "GET /a?b=c HTTP/1.1")).isEqualTo("GET /a?b=c HTTP/1.1");
        assertThat(LogEscape.apply(Escape.DEFAULT, "a\"b\\c")).isEqualTo("a\\x22b\\x5Cc");
        assertThat(LogEscape.apply(Escape.DEFAULT, "\t\n\r\u0000\u001f\u007f")).isEqualTo("\\x09\\x0A\\x0D\\x00\\x1F\\x7F");
        assertThat(LogEscape.apply(Escape.DEFAULT, "caf\u00e9")).as("UTF-8 bytes, each escaped").isEqualTo("caf\\xC3\\xA9");
        assertThat(LogEscape.apply(Escape.DEFAULT, " ~'")).isEqualTo(" ~'");
    }

    @Test
    void jsonEscapesQuoteBackslashAndControlCharactersOnly() {
        assertThat(LogEscape.apply(Escape.JSON, "a\"b\\c")).isEqualTo("a\\\"b\\\\c");
        assertThat(LogEscape.apply(Escape.JSON, "\n\r\t\b\f")).isEqualTo("\\n\\r\\t\\b\\f");
        assertThat(LogEscape.apply(Escape.JSON, "\u0000\u001f")).isEqualTo("\\u0000\\u001F");
        assertThat(LogEscape.apply(Escape.JSON, "caf\u00e9\u007f/")).isEqualTo("caf\u00e9\u007f/");
    }

    @Test
    void noneWritesTheValueAsItIs() {
        assertThat(LogEscape.apply(Escape.NONE, "a\"b\\c\n\u00e9")).isEqualTo("a\"b\\c\n\u00e9");
    }

    @Test
    void aMissingValueIsADashOnlyWhenEscaped() {
        assertThat(LogEscape.apply(Escape.DEFAULT, null)).isEqualTo("-");
        assertThat(LogEscape.apply(Escape.NONE, null)).isEmpty();
        assertThat(LogEscape.apply(Escape.JSON, null)).isEmpty();
    }
}
