package io.ferry.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Access log files as a test sees them: lines appear when Ferry writes them, so they are polled for. */
public final class LogFiles {
    private LogFiles() {
    }

    /** The file's lines once it has at least {@code n}, read as bytes (ISO-8859-1) so raw bytes survive. */
    public static List<String> awaitLines(Path file, int n) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<String> lines = lines(file);
            if (lines.size() >= n) {
                return lines;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + n + " lines in " + file + " after 10 s: " + lines);
            }
            Thread.sleep(20);
        }
    }

    public static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.ISO_8859_1) : List.of();
    }
}
