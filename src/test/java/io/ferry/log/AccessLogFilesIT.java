package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.LogFiles;
import io.ferry.testing.RawHttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** access_log names with variables, open_log_file_cache, gzip, and $pipe, read back from the files Ferry writes. */
@Timeout(60)
class AccessLogFilesIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    int port;

    @BeforeEach
    void start() throws Exception {
        port = FerryInstance.freePort();
        Files.createDirectories(prefix.resolve("html"));
        Files.createDirectories(prefix.resolve("dir"));
        // names with variables are opened as they are, no directory made for them (as nginx)
        Files.createDirectories(prefix.resolve("logs"));
        closer.add(FerryInstance.start(prefix, """
                http {
                    log_format test '$uri:$status';
                    log_format pipe '$uri $pipe';
                    server {
                        listen 127.0.0.1:%d;
                        root html;
                        location /var { access_log logs/var_$arg_name test; return 200; }
                        location /noroot { root missing; access_log logs/noroot_$arg_name test; return 200; }
                        location /cache {
                            open_log_file_cache max=3 min_uses=2;
                            access_log dir/cache_$arg_name test;
                            return 200;
                        }
                        location /gz { access_log logs/gz.log test gzip buffer=64k flush=200ms; return 200; }
                        location /pipe { access_log logs/pipe.log pipe; return 200; }
                    }
                }
                """.formatted(port)));
    }

    private void get(String target) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.get(target).status()).isEqualTo(200);
        }
    }

    @Test
    void aNameWithVariablesIsRenderedPerRequestWhileTheRootExists() throws Exception {
        get("/var?name=a");
        get("/var?name=b");
        get("/noroot?name=a");
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/var_a"), 1)).containsExactly("/var:200");
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/var_b"), 1)).containsExactly("/var:200");
        assertThat(prefix.resolve("logs/noroot_a")).doesNotExist();
    }

    @Test
    void cachedDescriptorsKeepWritingToAMovedFile() throws Exception {
        get("/cache?name=kept");
        get("/cache?name=kept");
        get("/cache?name=once");
        // the line is written once the answer is out: wait for it before moving its directory
        LogFiles.awaitLines(prefix.resolve("dir/cache_once"), 1);
        Files.move(prefix.resolve("dir"), prefix.resolve("moved"));
        get("/cache?name=kept");
        get("/cache?name=once");
        assertThat(LogFiles.awaitLines(prefix.resolve("moved/cache_kept"), 3)).hasSize(3);
        assertThat(Files.readAllLines(prefix.resolve("moved/cache_once"))).hasSize(1);
    }

    @Test
    void gzipWritesCompressedMembersAtFlushTime() throws Exception {
        get("/gz");
        Path log = prefix.resolve("logs/gz.log");
        for (int i = 0; i < 100 && (!Files.exists(log) || Files.size(log) == 0); i++) {
            Thread.sleep(100);
        }
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(log))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("/gz:200\n");
        }
    }

    @Test
    void pipeMarksARequestSentBeforeThePreviousAnswer() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send("GET /pipe HTTP/1.1\r\nHost: x\r\n\r\nGET /pipe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.read().status()).isEqualTo(200);
        }
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.get("/pipe").status()).isEqualTo(200);
        }
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/pipe.log"), 3)).containsExactly("/pipe .", "/pipe p", "/pipe .");
    }
}
