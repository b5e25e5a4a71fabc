package io.ferry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.cli.FerryCli;
import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Ferry process killed with SIGKILL while it writes an entry: the next start on the same cache
 * directory never serves the half-written body, fetches it again whole, and its loader deletes
 * the temporary file the crash left.
 */
class CacheCrashIT {
    private static final int BODY = 4 * 1024 * 1024;
    /** What the stalling upstream sends of the body before it stops: well under BODY, well over a buffer. */
    private static final int SENT_BEFORE_STALL = 1024 * 1024;
    private static final byte[] CONTENT = content();

    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    @TempDir
    Path scratch;

    private volatile boolean stall = true;

    private static byte[] content() {
        byte[] b = new byte[BODY];
        for (int i = 0; i < BODY; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    @Test
    // bin/ferry builds the jar first when the sources are newer than it
    @Timeout(300)
    void anEntryHalfWrittenWhenFerryIsKilledIsNeverServed() throws Exception {
        SocketBackend backend = closer.add(SocketBackend.start(s -> {
            while (SocketBackend.readHead(s.getInputStream()) != null) {
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\nContent-Length: " + BODY + "\r\n\r\n");
                if (stall) {
                    s.getOutputStream().write(CONTENT, 0, SENT_BEFORE_STALL);
                    s.getOutputStream().flush();
                    // until the killed Ferry's connection closes
                    s.getInputStream().readAllBytes();
                    return;
                }
                s.getOutputStream().write(CONTENT);
                s.getOutputStream().flush();
            }
        }));
        int port = FerryInstance.freePort();
        Files.createDirectories(prefix.resolve("logs"));
        Files.createDirectories(prefix.resolve("conf"));
        Files.writeString(prefix.resolve("conf/ferry.conf"), """
                error_log logs/error.log;
                pid logs/ferry.pid;
                events { }
                http {
                    proxy_cache_path cache levels=1:2 keys_zone=one:1m;
                    server { listen 127.0.0.1:%d;
                        add_header X-Cache $upstream_cache_status;
                        location / { proxy_pass http://127.0.0.1:%d; proxy_cache one; proxy_cache_valid 200 1h; }
                    } }
                """.formatted(port, backend.port()));
        Path cache = prefix.resolve("cache");

        FerryCli.Server first = closer.add(FerryCli.Server.start(prefix, scratch));
        first.awaitPidFile();
        Socket client = closer.add(new Socket("127.0.0.1", port));
        client.getOutputStream().write("GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Thread drain = new Thread(() -> drain(client), "crash-test-client");
        drain.setDaemon(true);
        drain.start();
        awaitFile(cache, f -> size(f) >= SENT_BEFORE_STALL, "the half entry to hold what was sent");
        first.close();
        List<Path> leftovers = files(cache, CacheCrashIT::isTemp);

        stall = false;
        // the killed instance could not remove its pid file; the new one's is what says it is listening
        Files.delete(first.pidFile());
        FerryCli.Server second = closer.add(FerryCli.Server.start(prefix, scratch));
        second.awaitPidFile();
        try (RawHttpClient again = new RawHttpClient(port)) {
            RawHttpClient.Response miss = again.get("/big");
            assertThat(miss.header("X-Cache")).isEqualTo("MISS");
            assertThat(miss.body()).isEqualTo(CONTENT);
            awaitFile(cache, f -> !isTemp(f), "the whole entry to be renamed into place");
            RawHttpClient.Response hit = again.get("/big");
            assertThat(hit.header("X-Cache")).isEqualTo("HIT");
            assertThat(hit.body()).isEqualTo(CONTENT);
        }
        // SIGKILL left the half entry under its temporary name, and the loader deleted it
        assertThat(leftovers).hasSize(1);
        assertThat(leftovers.get(0)).doesNotExist();
    }

    /** Reads what Ferry sends until the connection ends, so that Ferry keeps reading the upstream. */
    private static void drain(Socket client) {
        try (InputStream in = client.getInputStream()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the killed Ferry resets it
        }
    }

    private static boolean isTemp(Path f) {
        return f.getFileName().toString().startsWith(CacheWriter.TEMP_PREFIX);
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return -1;
        }
    }

    private static List<Path> files(Path dir, Predicate<Path> which) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(which).toList();
        }
    }

    private static void awaitFile(Path dir, Predicate<Path> which, String what) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (files(dir, which).isEmpty()) {
            assertThat(System.nanoTime()).as("waited 10 s for %s", what).isLessThan(deadline);
            Thread.sleep(25);
        }
    }
}
