package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** access_log's file: unbuffered or buffer=SIZE, flush=TIME, reopen after logrotate, whole lines only. */
class AccessLogWriterTest {
    @TempDir
    Path dir;

    private static String read(Path file) throws Exception {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    @Test
    void withoutABufferEveryLineIsWrittenAtOnceIntoMissingDirectories() throws Exception {
        Path file = dir.resolve("logs/sub/access.log");
        AccessLogWriter w = new AccessLogWriter(file, 0, 0);
        w.write("first");
        assertThat(read(file)).isEqualTo("first\n");
        w.write("caf\u00e9");
        assertThat(Files.readAllBytes(file)).hasSize("first\ncaf\u00e9\n".getBytes(StandardCharsets.UTF_8).length);
        assertThat(read(file)).isEqualTo("first\ncaf\u00e9\n");
        w.close();
    }

    @Test
    void aBufferIsWrittenOnceItIsFull() throws Exception {
        Path file = dir.resolve("access.log");
        AccessLogWriter w = new AccessLogWriter(file, 32, 0);
        w.write("0123456789");
        w.write("0123456789");
        assertThat(read(file)).as("22 bytes buffered").isEmpty();
        w.write("abcdefghij");
        assertThat(read(file)).isEqualTo("0123456789\n0123456789\nabcdefghij\n");
        w.close();
    }

    @Test
    void flushIfOlderWritesOnlyWhenTheLastFlushIsThatOld() throws Exception {
        Path file = dir.resolve("access.log");
        AccessLogWriter w = new AccessLogWriter(file, 64 * 1024, 0);
        w.write("line");
        w.flushIfOlder(TimeUnit.HOURS.toNanos(1));
        assertThat(read(file)).isEmpty();
        w.flushIfOlder(0);
        assertThat(read(file)).isEqualTo("line\n");
        w.close();
    }

    @Test
    void closeWritesWhatIsBuffered() throws Exception {
        Path file = dir.resolve("access.log");
        AccessLogWriter w = new AccessLogWriter(file, 64 * 1024, 0);
        w.write("a");
        w.write("b");
        w.close();
        assertThat(read(file)).isEqualTo("a\nb\n");
    }

    @Test
    void appendsToAnExistingFile() throws Exception {
        Path file = dir.resolve("access.log");
        Files.writeString(file, "old\n");
        AccessLogWriter w = new AccessLogWriter(file, 0, 0);
        w.write("new");
        w.close();
        assertThat(read(file)).isEqualTo("old\nnew\n");
    }

    @Test
    void reopenFlushesToTheMovedFileThenWritesToANewOneAtThePath() throws Exception {
        Path file = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        AccessLogWriter w = new AccessLogWriter(file, 64 * 1024, 0);
        w.write("before");
        Files.move(file, rotated);
        w.write("still before");
        w.reopen();
        assertThat(read(rotated)).isEqualTo("before\nstill before\n");
        assertThat(file).exists();
        assertThat(read(file)).isEmpty();
        w.write("after");
        w.close();
        assertThat(read(file)).isEqualTo("after\n");
        assertThat(read(rotated)).isEqualTo("before\nstill before\n");
    }

    @Test
    @Timeout(30)
    void linesFromConcurrentWritersNeverInterleave() throws Exception {
        Path file = dir.resolve("access.log");
        AccessLogWriter w = new AccessLogWriter(file, 100, 0);
        int threads = 4;
        int lines = 2_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String line = String.valueOf((char) ('a' + t)).repeat(40);
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < lines; i++) {
                    w.write(line);
                }
            });
            thread.start();
            writers.add(thread);
        }
        go.countDown();
        for (Thread thread : writers) {
            thread.join();
        }
        w.close();
        List<String> written = Files.readAllLines(file);
        assertThat(written).hasSize(threads * lines);
        assertThat(written).allMatch(l -> l.length() == 40 && l.chars().allMatch(c -> c == l.charAt(0)));
    }

    @Test
    void gzipWritesEachFlushedBufferAsOneGzipMember() throws Exception {
        Path file = dir.resolve("gz.log");
        AccessLogWriter w = new AccessLogWriter(file, 64 * 1024, 1);
        w.write("first");
        w.flush();
        w.write("second");
        w.close();
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(file))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("first\nsecond\n");
        }
    }

    /** /dev/full fails every write with ENOSPC, as a full disk does. */
    @Test
    void aFullDiskIsReportedOnceAMinuteAtAlertInNginxsWords() {
        ch.qos.logback.classic.Logger errorLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.ferry.error");
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        errorLog.addAppender(seen);
        try {
            AccessLogWriter w = new AccessLogWriter(Path.of("/dev/full"), 0, 0);
            for (int i = 0; i < 5; i++) {
                w.write("line " + i);
            }
            w.close();
        } finally {
            errorLog.detachAppender(seen);
        }
        assertThat(seen.list).hasSize(1);
        assertThat(seen.list.get(0).getMarkerList()).containsExactly(ErrorLogs.ALERT);
        assertThat(seen.list.get(0).getFormattedMessage())
                .isEqualTo("write() to \"/dev/full\" failed (28: No space left on device)");
    }
}
