package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.LogFiles;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * error_log in http, server and location: a request's error lines go to the nearest level's logs
 * (every line of that level) instead of the main ones, and nested
 * locations inherit them.
 */
@Timeout(60)
class ErrorLogRouteIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;
    static int serverPort;
    static List<String> main;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(prefix.resolve("html"));
        Files.createDirectories(prefix.resolve("logs"));
        port = FerryInstance.freePort();
        serverPort = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    access_log off;
                    server {
                        listen 127.0.0.1:%d;
                        location /plain/ { }
                        location /routed/ {
                            error_log logs/routed.log;
                            location /routed/inner/ { }
                        }
                        location /two/ { error_log logs/a.log; error_log logs/b.log warn; }
                        location /crit/ { error_log logs/crit.log crit; error_log logs/all.log; }
                    }
                    server {
                        listen 127.0.0.1:%d;
                        error_log logs/server.log;
                        location / { }
                    }
                }
                """.formatted(port, serverPort)));
        main = closer.add(ErrorLogLines.capture()).lines();
    }

    private static void missing(int to, String uri) throws Exception {
        try (RawHttpClient c = new RawHttpClient(to)) {
            assertThat(c.get(uri).status()).isEqualTo(404);
        }
    }

    private static boolean mainHas(String uri) {
        return main.stream().anyMatch(l -> l.contains(uri));
    }

    @Test
    void aLocationsLinesGoToItsOwnLogAndNestedLocationsInheritIt() throws Exception {
        missing(port, "/routed/gone");
        missing(port, "/routed/inner/gone");
        List<String> lines = LogFiles.awaitLines(prefix.resolve("logs/routed.log"), 2);
        assertThat(lines.get(0)).contains("[error]").contains("/routed/gone").contains("No such file or directory");
        assertThat(lines.get(1)).contains("/routed/inner/gone");
        assertThat(mainHas("/routed/")).isFalse();
    }

    @Test
    void everyLineOfTheLevelGetsIt() throws Exception {
        missing(port, "/two/gone");
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/a.log"), 1).get(0)).contains("/two/gone");
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/b.log"), 1).get(0)).contains("/two/gone");
        assertThat(mainHas("/two/")).isFalse();
    }

    @Test
    void aServersLinesGoToItsLogAndOthersStayOnTheMainOnes() throws Exception {
        missing(serverPort, "/server-gone");
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/server.log"), 1).get(0)).contains("/server-gone");
        missing(port, "/plain/gone");
        assertThat(mainHas("/plain/gone")).isTrue();
        assertThat(mainHas("/server-gone")).isFalse();
    }

    @Test
    void aLineAtCritTakesNoPlainErrors() throws Exception {
        missing(port, "/crit/gone");
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/all.log"), 1).get(0)).contains("/crit/gone");
        assertThat(LogFiles.lines(prefix.resolve("logs/crit.log"))).isEmpty();
    }
}
