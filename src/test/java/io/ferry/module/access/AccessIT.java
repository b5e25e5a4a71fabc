package io.ferry.module.access;

import io.ferry.testing.ErrorLogLines;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * allow/deny on a real Ferry, in the access phase under both satisfy modes: which requests get the
 * 403, its page and kept-alive connection, the error log's one line per refusal, the inheritance of
 * rules, and the check made again after a rewrite moved the request to another location. With the
 * access module the only check, "satisfy any" must decide exactly as "all" does.
 */
@Timeout(60)
class AccessIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static int port;
    static List<String> errors;

    @BeforeAll
    static void start() throws Exception {
        // files, not "return": return answers in the rewrite phase, before access is checked (as nginx)
        Path html = Files.createDirectories(prefix.resolve("html"));
        for (String name : List.of("inherited", "denied", "allowed", "unmatched", "any-denied", "any-allowed", "ipv6-only")) {
            Files.writeString(html.resolve(name), name);
        }
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    access_log off;
                    server {
                        listen 127.0.0.1:%d;
                        server_name a;
                        deny 192.0.2.0/24;
                        location = /inherited { }
                        location = /denied { deny all; }
                        location = /allowed { allow 127.0.0.1; deny all; }
                        location = /unmatched { deny 10.0.0.0/8; }
                        location = /any-denied { satisfy any; deny all; }
                        location = /any-allowed { satisfy any; allow 127.0.0.0/8; deny all; }
                        location = /moved { rewrite ^ /denied last; }
                        location = /ipv6-only { allow ::1; deny all; }
                    }
                }
                """.formatted(port)));
        errors = closer.add(ErrorLogLines.capture()).lines();
    }

    @BeforeEach
    void clearLog() {
        errors.clear();
    }

    private static List<String> forbidden(String uri) {
        return errors.stream().filter(l -> l.contains("access forbidden by rule") && l.contains(" " + uri + " ")).toList();
    }

    @Test
    void aDeniedRequestGetsTheForbiddenPageOnAKeptAliveConnection() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            RawHttpClient.Response r = c.get("/denied");
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.text()).contains("<title>403 Forbidden</title>");
            assertThat(r.header("connection")).isNotEqualToIgnoringCase("close");
            assertThat(c.get("/allowed").text()).isEqualTo("allowed");
        }
        assertThat(forbidden("/denied")).containsExactly(
                "*" + connectionOf(forbidden("/denied").get(0))
                        + " access forbidden by rule, client: 127.0.0.1, server: a, request: \"GET /denied HTTP/1.1\"");
    }

    private static String connectionOf(String line) {
        return line.substring(1, line.indexOf(' '));
    }

    @Test
    void theFirstMatchingRuleDecidesAndNoMatchLetsTheRequestThrough() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.get("/allowed").text()).isEqualTo("allowed");
            assertThat(c.get("/unmatched").text()).isEqualTo("unmatched");
            assertThat(c.get("/inherited").text()).isEqualTo("inherited");
            assertThat(c.get("/ipv6-only").status()).isEqualTo(403);
        }
        assertThat(forbidden("/allowed")).isEmpty();
        assertThat(forbidden("/ipv6-only")).hasSize(1);
    }

    @Test
    void satisfyAnyWithOnlyTheAccessModuleDecidesAsAllDoesAndLogsOnce() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            RawHttpClient.Response denied = c.get("/any-denied");
            assertThat(denied.status()).isEqualTo(403);
            assertThat(denied.text()).contains("<title>403 Forbidden</title>");
            assertThat(c.get("/any-allowed").text()).isEqualTo("any-allowed");
        }
        assertThat(forbidden("/any-denied")).hasSize(1);
        assertThat(forbidden("/any-allowed")).isEmpty();
    }

    @Test
    void aRewriteIntoADeniedLocationIsCheckedThere() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.get("/moved").status()).isEqualTo(403);
        }
        assertThat(forbidden("/moved")).hasSize(1);
    }
}
