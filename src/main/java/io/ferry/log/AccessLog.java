package io.ferry.log;

import io.ferry.variable.Template;
import java.nio.file.Path;
import java.time.Duration;

/**
 * access_log PATH [FORMAT [buffer=SIZE] [flush=TIME] [gzip[=LEVEL]] [if=COND]]. {@code condition}
 * null logs every request; otherwise a value of "" or "0" skips it. {@code pathTemplate} is set when
 * the path has variables: it is rendered per request and opened then, through {@code cache} when
 * open_log_file_cache applies (else null); {@code path} is then the unrendered text. {@code gzip}
 * is the compression level, 0 for none. {@code syslog} is set, and {@code path} null, for a
 * {@code syslog:} target.
 */
public record AccessLog(Path path, LogFormat format, int bufferSize, Duration flush, Template condition,
        Template pathTemplate, int gzip, OpenLogFileCache cache, Syslog syslog) {
}
