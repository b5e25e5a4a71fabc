package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
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

/** log_subrequest: an auth_request subrequest is written to the access log, with its own $uri and $status, only where it is on. */
@Timeout(60)
class LogSubrequestIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(prefix.resolve("html/quiet"));
        Files.createDirectories(prefix.resolve("html/logged"));
        Files.writeString(prefix.resolve("html/quiet/x"), "x");
        Files.writeString(prefix.resolve("html/logged/x"), "x");
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    log_format uri '$uri $status';
                    access_log logs/access.log uri;
                    server {
                        listen 127.0.0.1:%d;
                        location /quiet/ { auth_request /auth; }
                        location /logged/ { auth_request /auth-logged; }
                        location = /auth { return 204; }
                        location = /auth-logged { log_subrequest on; return 204; }
                    }
                }
                """.formatted(port)));
    }

    @Test
    void onlyTheLocationWithLogSubrequestOnLogsItsSubrequests() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.get("/quiet/x").status()).isEqualTo(200);
            assertThat(c.get("/logged/x").status()).isEqualTo(200);
        }
        List<String> lines = LogFiles.awaitLines(prefix.resolve("logs/access.log"), 3);
        assertThat(lines).containsExactly("/quiet/x 200", "/auth-logged 204", "/logged/x 200");
    }
}
