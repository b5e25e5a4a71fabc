package io.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Location of redirects Ferry makes itself (directory slash, return, a passing location's slash)
 * under absolute_redirect, server_name_in_redirect and port_in_redirect; log_not_found; keepalive_time.
 */
class RedirectLocationIT {
    @TempDir
    Path prefix;

    private FerryInstance start(int port) throws Exception {
        Files.createDirectories(prefix.resolve("html/dir sp"));
        return FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%d;
                        server_name first second;
                        location / { }
                        location /api/ { proxy_pass http://127.0.0.1:9; }
                        location /r { return 301 /target; }
                        location /name { return 302 /target; server_name_in_redirect on; }
                        location /noport { return 302 /target; port_in_redirect off; }
                        location /rel { return 302 /target; absolute_redirect off; }
                        location /quiet/ { log_not_found off; }
                        location /short/ { keepalive_time 0s; }
                    }
                }
                """.formatted(port));
    }

    private static RawHttpClient.Response get(int port, String host, String target) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.send("GET " + target + " HTTP/1.0\r\n" + (host == null ? "" : "Host: " + host + "\r\n") + "\r\n").read();
        }
    }

    @Test
    void locationsAreCompletedAsNginxDoes() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = start(port)) {
            assertThat(get(port, "h.test", "/dir%20sp?a=b").header("Location"))
                    .isEqualTo("http://h.test:" + port + "/dir%20sp/?a=b");
            assertThat(get(port, "h.test", "/api?x=1").header("Location")).isEqualTo("http://h.test:" + port + "/api/?x=1");
            assertThat(get(port, "H.test.:" + port, "/r").header("Location")).isEqualTo("http://h.test:" + port + "/target");
            assertThat(get(port, null, "/r").header("Location")).isEqualTo("http://127.0.0.1:" + port + "/target");
            assertThat(get(port, "h.test", "/name").header("Location")).isEqualTo("http://first:" + port + "/target");
            assertThat(get(port, "h.test", "/noport").header("Location")).isEqualTo("http://h.test/target");
            assertThat(get(port, "h.test", "/rel").header("Location")).isEqualTo("/target");
        }
    }

    @Test
    void logNotFoundControlsTheErrorLogLine() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = start(port); ErrorLogLines log = ErrorLogLines.capture()) {
            Files.createDirectories(prefix.resolve("html/quiet"));
            assertThat(get(port, "h.test", "/quiet/missing.txt").status()).isEqualTo(404);
            assertThat(get(port, "h.test", "/missing.txt").status()).isEqualTo(404);
            assertThat(log.count("open() \"" + prefix.resolve("html/missing.txt") + "\" failed (2: No such file or directory)"))
                    .isEqualTo(1);
            assertThat(log.count("quiet")).isZero();
        }
    }

    @Test
    void keepaliveTimeEndsAnOldConnection() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = start(port); RawHttpClient c = new RawHttpClient(port)) {
            Files.createDirectories(prefix.resolve("html/short"));
            Files.writeString(prefix.resolve("html/short/a.txt"), "a");
            Files.writeString(prefix.resolve("html/a.txt"), "a");
            assertThat(c.get("/a.txt").header("Connection")).isEqualToIgnoringCase("keep-alive");
            assertThat(c.get("/short/a.txt").header("Connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedByPeer()).isTrue();
        }
    }
}
