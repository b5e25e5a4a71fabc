package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descriptors open_log_file_cache keeps: after min_uses, at most max, the least recently used leaving first. */
class OpenLogFileCacheTest {
    @TempDir
    Path dir;

    private static void write(OpenLogFileCache cache, Path path, String line) throws IOException {
        cache.write(path, ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void keptDescriptorsOutliveTheirDirectoryBeingMovedTheOthersAreOpenedAnew() throws Exception {
        OpenLogFileCache cache = new OpenLogFileCache(3, TimeUnit.SECONDS.toNanos(20), 2, TimeUnit.SECONDS.toNanos(60));
        Path logs = Files.createDirectory(dir.resolve("logs"));
        for (String name : new String[] {"lru", "lru", "once", "first", "first", "second", "second"}) {
            write(cache, logs.resolve(name), name);
        }
        Path moved = Files.move(logs, dir.resolve("moved"));
        // lru was the least recently used of four names: its descriptor went; once was never kept
        assertThatThrownBy(() -> write(cache, logs.resolve("lru"), "lru")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> write(cache, logs.resolve("once"), "once")).isInstanceOf(IOException.class);
        write(cache, logs.resolve("first"), "first");
        write(cache, logs.resolve("second"), "second");
        assertThat(Files.readAllLines(moved.resolve("lru"))).hasSize(2);
        assertThat(Files.readAllLines(moved.resolve("once"))).hasSize(1);
        assertThat(Files.readAllLines(moved.resolve("first"))).hasSize(3);
        assertThat(Files.readAllLines(moved.resolve("second"))).hasSize(3);
        cache.closeAll();
    }

    @Test
    void afterValidAFileMovedAwayFromItsNameIsReopened() throws Exception {
        OpenLogFileCache cache = new OpenLogFileCache(10, TimeUnit.SECONDS.toNanos(20), 1, 0);
        Path log = dir.resolve("a.log");
        write(cache, log, "one");
        Files.move(log, dir.resolve("a.log.1"));
        write(cache, log, "two");
        assertThat(Files.readAllLines(dir.resolve("a.log.1"))).containsExactly("one");
        assertThat(Files.readAllLines(log)).containsExactly("two");
        cache.closeAll();
    }
}
