package io.ferry.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.conf.ConfException;
import io.ferry.conf.directive.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Configuration inputs the fuzzer (ConfigFuzzTest) found mishandled, one deterministic test each. */
class ConfigEdgeCasesTest {
    @TempDir
    Path dir;

    ConfigLoader.Loaded load(String text) throws Exception {
        Path f = dir.resolve("ferry.conf");
        Files.writeString(f, text);
        return ConfigLoader.load(dir, f, null);
    }

    /** Loading fails with a ConfException that names the file and line, as nginx's [emerg] does. */
    AbstractThrowableAssert<?, ? extends Throwable> assertConfException(String text) {
        return assertThatThrownBy(() -> load(text)).as(text).isInstanceOf(ConfException.class).hasMessageContaining("ferry.conf:1");
    }

    /** nginx reads every line of a types block as "type extension...", so a directive's name there is just a type. */
    @ParameterizedTest
    @ValueSource(strings = {
            "http { types { rewrite ; } server { listen 8080; } }",
            "http { server { listen 8080; location / { types { set ; } } } }"
    })
    void directiveNamesInsideATypesBlockAreTypes(String text) throws Exception {
        assertThat(load(text).config()).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http { include mi\u0000me.types; }",
            "http { server { listen 8080; root a\u0000b; } }",
            "http { server { listen 8080; location / { alias a\u0000b; } } }",
            "error_log logs/e\u0000.log;",
            "pid a\u0000b;"
    })
    void nulInAPathIsAConfException(String text) {
        assertConfException(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http { server { listen 8080; location ~ ( { } } }",
            "http { server { listen 8080; server_name ~(; } }",
            "http { map $uri $x { ~( 1; } server { listen 8080; } }",
            "http { server { listen 8080; location / { rewrite ( /x; } } }",
            "http { server { listen 8080; location / { if ($uri ~ \"(\") { return 404; } } } }"
    })
    void regexErrorsAreConfExceptions(String text) {
        assertConfException(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http { server { listen 8080; client_max_body_size 99999999999999g; } }",
            "events { worker_connections 99999999999; }",
            "http { server { listen 99999; } }",
            "http { upstream u { server 127.0.0.1:1 weight=99999999999; } server { listen 8080; } }"
    })
    void hugeNumbersAreConfExceptions(String text) {
        assertConfException(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"keepalive_timeout", "client_body_timeout", "send_timeout", "client_header_timeout"})
    void timesThatOverflowAreRejected(String directive) {
        assertThatThrownBy(() -> load("http { " + directive + " 999999999y; server { listen 8080; } }"))
                .isInstanceOf(ConfException.class).hasMessageContaining("invalid value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"allow 1.2.3;", "deny 10.1;", "set_real_ip_from 1.2.3;"})
    void shortIpv4FormsAreRejected(String line) {
        assertThatThrownBy(() -> load("http { server { listen 8080; " + line + " } }")).isInstanceOf(ConfException.class);
    }

    /**
     * nginx takes any size its size_t holds; Ferry's header buffers are Netty's int-sized ones, so a
     * size past its 64 MiB cap is refused the way nginx refuses one past its type ("invalid value").
     */
    @Test
    void clientHeaderBufferSizeBeyondTheCapIsRejected() {
        assertConfException("http { server { listen 8080; client_header_buffer_size 3g; } }")
                .hasMessageContaining("\"client_header_buffer_size\" directive invalid value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"4 3g", "4 64m", "65537 1k"})
    void largeClientHeaderBuffersBeyondTheCapAreRejected(String args) {
        assertConfException("http { server { listen 8080; large_client_header_buffers " + args + "; } }")
                .hasMessageContaining("\"large_client_header_buffers\" directive invalid value");
    }
}
