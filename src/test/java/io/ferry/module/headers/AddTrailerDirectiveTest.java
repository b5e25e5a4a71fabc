package io.ferry.module.headers;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** add_trailer: its lines, inherited as add_header's are but apart from them, and nginx's errors. */
class AddTrailerDirectiveTest {
    @TempDir
    Path dir;

    private VirtualServer server(String body) throws Exception {
        return new ConfigText(dir).server("server { listen 8080; " + body + " }");
    }

    @Test
    void readsNameValueAndAlways() throws Exception {
        HeadersSettings s = server("add_trailer X-A $host; add_trailer X-B b always;").fallback()
                .module(HeadersModule.SETTINGS);
        assertThat(s.trailers()).extracting(HeadersSettings.Added::name).containsExactly("X-A", "X-B");
        assertThat(s.trailers()).extracting(HeadersSettings.Added::always).containsExactly(false, true);
        assertThat(s.trailers().get(0).value().isConstant()).isFalse();
        assertThat(s.added()).isEmpty();
    }

    @Test
    void aLevelWithLinesOfItsOwnInheritsNoneAndAddHeaderDoesNotCount() throws Exception {
        VirtualServer vs = server("add_trailer X-S s; location /own { add_trailer X-L l; }"
                + " location /header { add_header X-H h; } location /none { }");
        assertThat(vs.locations()).allSatisfy(l -> {
            HeadersSettings s = l.settings().module(HeadersModule.SETTINGS);
            String expected = l.path().equals("/own") ? "X-L" : "X-S";
            assertThat(s.trailers()).extracting(HeadersSettings.Added::name).containsExactly(expected);
        });
    }

    @Test
    void nothingWrittenIsNothing() throws Exception {
        assertThat(server("").fallback().module(HeadersModule.SETTINGS)).isSameAs(HeadersSettings.NONE);
    }

    @Test
    void aThirdParameterOtherThanAlwaysIsAnError() throws Exception {
        ConfException e = new ConfigText(dir).httpError("server {\n listen 8080;\n add_trailer X a never;\n}");
        assertThat(e.detail() + ":" + e.line()).isEqualTo("invalid parameter \"never\":4");
    }

    @Test
    void oneArgumentIsAnError() throws Exception {
        ConfException e = new ConfigText(dir).httpError("server {\n listen 8080;\n add_trailer X;\n}");
        assertThat(e.detail()).contains("invalid number of arguments in \"add_trailer\"");
    }

    @Test
    void controlCharactersInAValueBecomeSpaces() {
        assertThat(Trailers.sanitized("a\r\nb\0c")).isEqualTo("a  b c");
        assertThat(Trailers.sanitized("plain")).isEqualTo("plain");
    }
}
