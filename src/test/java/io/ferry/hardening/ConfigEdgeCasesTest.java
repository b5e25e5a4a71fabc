package io.ferry.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.conf.ConfException;
import io.ferry.conf.directive.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Disabled;
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

    /** Loading may succeed or fail with ConfException (file:line), never with another exception. */
    void loadsOrConfException(String text) {
        try {
            load(text);
        } catch (ConfException e) {
            assertThat(e.getMessage()).contains("ferry.conf");
        } catch (Throwable e) {
            throw new AssertionError("expected success or ConfException, got " + e + " for: " + text, e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http { types { rewrite ; } server { listen 8080; } }",
            "http { server { listen 8080; location / { types { set ; } } } }"
    })
    void directiveNamesInsideATypesBlockFailCleanly(String text) {
        loadsOrConfException(text);
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
        loadsOrConfException(text);
    }

    @Test
    void regexErrorsAreConfExceptions() {
        loadsOrConfException("http { server { listen 8080; location ~ ( { } } }");
        loadsOrConfException("http { server { listen 8080; server_name ~(; } }");
        loadsOrConfException("http { map $uri $x { ~( 1; } server { listen 8080; } }");
        loadsOrConfException("http { server { listen 8080; location / { rewrite ( /x; } } }");
        loadsOrConfException("http { server { listen 8080; location / { if ($uri ~ \"(\") { return 404; } } } }");
    }

    @Test
    void hugeNumbersAreConfExceptions() {
        loadsOrConfException("http { server { listen 8080; client_max_body_size 99999999999999g; } }");
        loadsOrConfException("events { worker_connections 99999999999; }");
        loadsOrConfException("http { server { listen 99999; } }");
        loadsOrConfException("http { upstream u { server 127.0.0.1:1 weight=99999999999; } server { listen 8080; } }");
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

    @Test
    void clientHeaderBufferSizeBeyondAnIntIsRejectedOrBounded() throws Exception {
        try {
            ConfigLoader.Loaded loaded = load("http { server { listen 8080; client_header_buffer_size 3g; } }");
            assertThat(loaded.config().http().servers().get(0).limits().headerBufferSize()).isPositive();
        } catch (ConfException e) {
            // rejected: fine
        }
    }

    @Test
    void largeClientHeaderBuffersWhoseProductOverflowsAreRejectedOrBounded() throws Exception {
        try {
            ConfigLoader.Loaded loaded = load("http { server { listen 8080; large_client_header_buffers 4 3g; } }");
            var limits = loaded.config().http().servers().get(0).limits();
            assertThat((long) limits.largeBufferCount() * limits.largeBufferSize()).isLessThanOrEqualTo(Integer.MAX_VALUE);
        } catch (ConfException e) {
            // rejected: fine
        }
    }
}
