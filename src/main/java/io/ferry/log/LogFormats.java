package io.ferry.log;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.Level;
import io.ferry.variable.Template;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;

/**
 * The log formats of one configuration's http or stream block, built once there, and the access
 * logs of each level that name them (the nearest level that has any wins, "off" disables). http
 * has nginx's predefined "combined" and a default access log; stream has neither, and only its own
 * variables.
 */
public final class LogFormats {
    /** Rejects variables a context does not have, before they are compiled (stream has no $uri). */
    public interface NameCheck {
        void check(Directive d, String text) throws ConfException;
    }

    private final NameCheck names;
    private final Map<String, LogFormat> formats;
    private final LogFormat defaultFormat;
    /** Built once per open_log_file_cache line (null for "off"), whichever level asks first. */
    private final Map<Directive, OpenLogFileCache> fileCaches = new HashMap<>();

    private LogFormats(Level level, NameCheck names, LogFormat defaultFormat) throws ConfException {
        this.names = names;
        this.defaultFormat = defaultFormat;
        Map<String, LogFormat> byName = new HashMap<>();
        if (defaultFormat != null) {
            byName.put(defaultFormat.name(), defaultFormat);
        }
        for (Directive d : level.ownAll("log_format")) {
            String name = d.args().get(0);
            if (byName.containsKey(name)) {
                throw Values.error(d, "duplicate \"log_format\" name \"" + name + "\"");
            }
            byName.put(name, format(level, d, name));
        }
        this.formats = Map.copyOf(byName);
    }

    static LogFormats http(Level http) throws ConfException {
        // combined names only built-in variables: compiling it cannot fail, so no directive is blamed
        LogFormat combined = new LogFormat("combined", http.template(null, LogFormat.COMBINED), LogFormat.Escape.DEFAULT);
        return new LogFormats(http, (d, text) -> { }, combined);
    }

    public static LogFormats stream(Level stream, NameCheck names) throws ConfException {
        return new LogFormats(stream, names, null);
    }

    private LogFormat format(Level level, Directive d, String name) throws ConfException {
        LogFormat.Escape escape = LogFormat.Escape.DEFAULT;
        int first = 1;
        String arg = d.args().get(1);
        if (arg.startsWith("escape=")) {
            escape = switch (arg.substring(7)) {
                case "default" -> LogFormat.Escape.DEFAULT;
                case "json" -> LogFormat.Escape.JSON;
                case "none" -> LogFormat.Escape.NONE;
                default -> throw Values.error(d, "unknown log format escaping \"" + arg.substring(7) + "\"");
            };
            first = 2;
        }
        if (first >= d.args().size()) {
            throw Values.error(d, "invalid number of arguments in \"log_format\" directive");
        }
        String text = String.join("", d.args().subList(first, d.args().size()));
        names.check(d, text);
        return new LogFormat(name, level.template(d, text), escape);
    }

    public List<AccessLog> accessLogs(Level level) throws ConfException {
        // checked where it is written, even at a level none of whose logs has a variable name
        fileCache(level);
        List<Directive> directives = level.inheritedAll("access_log");
        if (directives.isEmpty()) {
            return defaultFormat == null ? List.of()
                    : List.of(new AccessLog(level.prefix().resolve("logs/access.log"), defaultFormat, 0, Duration.ZERO, null,
                            null, 0, null, null));
        }
        List<AccessLog> logs = new ArrayList<>();
        for (Directive d : directives) {
            if (d.args().get(0).equals("off")) {
                if (d.args().size() > 1) {
                    throw Values.error(d, "invalid parameter \"" + d.args().get(1) + "\"");
                }
                return List.of();
            }
            logs.add(accessLog(level, d));
        }
        return List.copyOf(logs);
    }

    private AccessLog accessLog(Level level, Directive d) throws ConfException {
        LogFormat format = defaultFormat;
        int buffer = 0;
        int gzip = 0;
        Duration flush = Duration.ZERO;
        Template condition = null;
        for (int i = 1; i < d.args().size(); i++) {
            String a = d.args().get(i);
            if (i == 1) {
                format = formats.get(a);
                if (format == null) {
                    throw Values.error(d, "unknown log format \"" + a + "\"");
                }
            } else if (a.startsWith("buffer=")) {
                buffer = (int) Math.min(Integer.MAX_VALUE, Values.size(d, a.substring(7)));
                if (buffer == 0) {
                    throw Values.error(d, "invalid buffer size \"" + a.substring(7) + "\"");
                }
            } else if (a.startsWith("flush=")) {
                flush = Values.time(d, a.substring(6));
                if (flush.isZero()) {
                    throw Values.error(d, "invalid flush time \"" + a.substring(6) + "\"");
                }
            } else if (a.equals("gzip") || a.startsWith("gzip=")) {
                gzip = a.length() == 4 ? Deflater.BEST_SPEED : gzipLevel(d, a.substring(5));
                buffer = buffer == 0 ? 64 * 1024 : buffer;
            } else if (a.startsWith("if=")) {
                names.check(d, a.substring(3));
                condition = level.template(d, a.substring(3));
            } else {
                throw Values.error(d, "invalid parameter \"" + a + "\"");
            }
        }
        if (format == null) {
            throw Values.error(d, "log format is not specified");
        }
        if (!flush.isZero() && buffer == 0) {
            throw Values.error(d, "no buffer is defined for access_log \"" + d.args().get(0) + "\"");
        }
        String name = d.args().get(0);
        if (Syslog.named(name)) {
            Syslog syslog = Syslog.parse(d, name);
            if (buffer > 0) {
                throw Values.error(d, "logs to syslog cannot be buffered");
            }
            return new AccessLog(null, format, 0, Duration.ZERO, condition, null, 0, null, syslog);
        }
        Path path = level.prefix().resolve(name).normalize();
        Template pathTemplate = null;
        if (name.indexOf('$') >= 0) {
            names.check(d, name);
            pathTemplate = level.template(d, level.prefix().resolve(name).toString());
            if (buffer > 0) {
                throw Values.error(d, "buffered logs cannot have variables in name");
            }
        }
        return new AccessLog(path, format, buffer, flush, condition, pathTemplate, gzip,
                pathTemplate == null ? null : fileCache(level), null);
    }

    private static int gzipLevel(Directive d, String v) throws ConfException {
        int n = v.matches("[0-9]{1,9}") ? Integer.parseInt(v) : -1;
        if (n < 1 || n > 9) {
            throw Values.error(d, "invalid compression level \"" + v + "\"");
        }
        return n;
    }

    /** The level's open_log_file_cache, one cache per directive so that the levels inheriting it share it. */
    private OpenLogFileCache fileCache(Level level) throws ConfException {
        Directive d = level.inherited("open_log_file_cache");
        if (d == null) {
            return null;
        }
        if (!fileCaches.containsKey(d)) {
            fileCaches.put(d, OpenLogFileCache.parse(d));
        }
        return fileCaches.get(d);
    }
}
