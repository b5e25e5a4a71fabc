package io.ferry.module.headers;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** expires: the forms nginx reads, inheritance and nginx's errors. */
class ExpiresDirectiveTest {
    @TempDir
    Path dir;

    private Expires expires(String line) throws Exception {
        VirtualServer vs = new ConfigText(dir).server("server { listen 8080; " + line + " }");
        return vs.fallback().module(HeadersModule.SETTINGS).expires();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            expires 2048;              | ACCESS   | 2048
            expires +1h;               | ACCESS   | 3600
            expires -2048;             | ACCESS   | -2048
            expires @15h30m33s;        | DAILY    | 55833
            expires modified 1d;       | MODIFIED | 86400
            expires epoch;             | EPOCH    | 0
            expires max;               | MAX      | 0
            """)
    void readsNginxsForms(String line, Expires.Kind kind, long seconds) throws Exception {
        Expires e = expires(line);
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.seconds()).isEqualTo(seconds);
        assertThat(e.value()).isNull();
    }

    @Test
    void offAndNothingSetNothing() throws Exception {
        assertThat(expires("expires off;")).isNull();
        assertThat(expires("")).isNull();
    }

    @Test
    void aValueWithVariablesWaitsForTheRequest() throws Exception {
        Expires e = expires("expires modified $arg_e;");
        assertThat(e.kind()).isEqualTo(Expires.Kind.MODIFIED);
        assertThat(e.value()).isNotNull();
    }

    @Test
    void aLocationInheritsTheServersExpires() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("server { listen 8080; expires 1h; location /a { } }");
        assertThat(vs.locations().get(0).settings().module(HeadersModule.SETTINGS).expires().seconds()).isEqualTo(3600);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            expires bad;               | "expires" directive invalid value
            expires 10ms;              | "expires" directive invalid value
            expires access 1h;         | "expires" directive invalid value
            expires modified epoch;    | "expires" directive invalid value
            expires modified @1h;      | "expires" directive daily time cannot be used with "modified" parameter
            expires @25h;              | "expires" directive daily time value must be less than 24 hours
            """)
    void nginxsErrors(String line, String expected) throws Exception {
        ConfException e = new ConfigText(dir).httpError("server {\n listen 8080;\n " + line + "\n}");
        assertThat(e.detail() + ":" + e.line()).isEqualTo(expected + ":4");
    }
}
