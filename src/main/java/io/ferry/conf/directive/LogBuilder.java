package io.ferry.conf.directive;

import io.ferry.conf.Values;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.model.AccessLog;
import io.ferry.model.LogFormat;
import io.ferry.variable.Template;
import io.ferry.variable.Variables;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * log_format (at the http or stream level) and access_log (any level; the nearest level that has
 * any wins, "off" disables). http has nginx's predefined "combined" and a default access log;
 * stream has neither, and only its own variables.
 */
final class LogBuilder {
    /** Rejects variables a context does not have, before they are compiled (stream has no $uri). */
    interface NameCheck {
        void check(Directive d, String text) throws ConfException;
    }

    private final Path prefix;
    private final Variables variables;
    private final NameCheck names;
    private final Map<String, LogFormat> formats = new HashMap<>();
    private final LogFormat defaultFormat;

    private LogBuilder(Path prefix, Scope level, Variables variables, NameCheck names, LogFormat defaultFormat)
            throws ConfException {
        this.prefix = prefix;
        this.variables = variables;
        this.names = names;
        this.defaultFormat = defaultFormat;
        if (defaultFormat != null) {
            formats.put(defaultFormat.name(), defaultFormat);
        }
        for (Directive d : level.ownAll("log_format")) {
            format(d);
        }
    }

    static LogBuilder http(Path prefix, Scope http, Variables variables) throws ConfException {
        LogFormat combined = new LogFormat("combined", Template.compile(LogFormat.COMBINED, variables), LogFormat.Escape.DEFAULT);
        return new LogBuilder(prefix, http, variables, (d, text) -> { }, combined);
    }

    static LogBuilder stream(Path prefix, Scope stream, Variables variables, NameCheck names) throws ConfException {
        return new LogBuilder(prefix, stream, variables, names, null);
    }

    private void format(Directive d) throws ConfException {
        String name = d.args().get(0);
        if (formats.containsKey(name)) {
            throw Values.error(d, "duplicate \"log_format\" name \"" + name + "\"");
        }
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
        formats.put(name, new LogFormat(name, ConfigBuilder.template(d, text, variables), escape));
    }

    List<AccessLog> accessLogs(Scope s) throws ConfException {
        List<Directive> directives = s.inheritedAll("access_log");
        if (directives.isEmpty()) {
            return defaultFormat == null ? List.of()
                    : List.of(new AccessLog(prefix.resolve("logs/access.log"), defaultFormat, 0, Duration.ZERO, null));
        }
        List<AccessLog> logs = new ArrayList<>();
        for (Directive d : directives) {
            if (d.args().get(0).equals("off")) {
                if (d.args().size() > 1) {
                    throw Values.error(d, "invalid parameter \"" + d.args().get(1) + "\"");
                }
                return List.of();
            }
            logs.add(accessLog(d));
        }
        return List.copyOf(logs);
    }

    private AccessLog accessLog(Directive d) throws ConfException {
        LogFormat format = defaultFormat;
        int buffer = 0;
        Duration flush = Duration.ZERO;
        Template condition = null;
        for (int i = 1; i < d.args().size(); i++) {
            String a = d.args().get(i);
            if (i == 1 && !a.contains("=")) {
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
            } else if (a.startsWith("if=")) {
                names.check(d, a.substring(3));
                condition = ConfigBuilder.template(d, a.substring(3), variables);
            } else if (a.equals("gzip") || a.startsWith("gzip=")) {
                throw Values.error(d, "gzip compression of access logs is not supported");
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
        return new AccessLog(prefix.resolve(d.args().get(0)).normalize(), format, buffer, flush, condition);
    }
}
