package io.ferry.log;

import io.ferry.variable.Template;
import java.nio.file.Path;
import java.time.Duration;

/**
 * access_log PATH [FORMAT [buffer=SIZE] [flush=TIME] [if=COND]]. {@code condition} null logs
 * every request; otherwise a value of "" or "0" skips it.
 */
public record AccessLog(Path path, LogFormat format, int bufferSize, Duration flush, Template condition) {
}
