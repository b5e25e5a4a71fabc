package io.ferry.variable;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The variable namespace of one configuration generation: nginx's built-in variables (a
 * connection's, then a request's), the {@code $http_}, {@code $cookie_}, {@code $arg_} families and
 * the variables defined by {@code map}. The stream block has its own namespace, without requests.
 */
public final class Variables {
    private static final Map<String, ConnectionVariable> CONNECTION = Map.ofEntries(
            Map.entry("remote_addr", ConnectionScope::remoteAddr),
            Map.entry("binary_remote_addr", s -> SocketText.binary(s.remoteAddr())),
            Map.entry("remote_port", ConnectionScope::remotePort),
            Map.entry("server_addr", ConnectionScope::serverAddr),
            Map.entry("server_port", ConnectionScope::serverPort),
            Map.entry("msec", s -> LogTime.msec()),
            Map.entry("time_local", s -> LogTime.local()),
            Map.entry("time_iso8601", s -> LogTime.iso8601()),
            Map.entry("status", ConnectionScope::status),
            Map.entry("bytes_sent", ConnectionScope::bytesSent),
            Map.entry("connection", ConnectionScope::connection),
            Map.entry("upstream_addr", ConnectionScope::upstreamAddr),
            Map.entry("upstream_connect_time", ConnectionScope::upstreamConnectTime),
            Map.entry("ssl_protocol", ConnectionScope::sslProtocol),
            Map.entry("ssl_cipher", ConnectionScope::sslCipher),
            Map.entry("ssl_server_name", ConnectionScope::sslServerName),
            Map.entry("ssl_session_reused", ConnectionScope::sslSessionReused),
            Map.entry("proxy_protocol_addr", s -> s.proxyProtocol() == null ? null : s.proxyProtocol().srcAddr()),
            Map.entry("proxy_protocol_port", s -> s.proxyProtocol() == null ? null : Integer.toString(s.proxyProtocol().srcPort())),
            Map.entry("proxy_protocol_server_addr", s -> s.proxyProtocol() == null ? null : s.proxyProtocol().dstAddr()),
            Map.entry("proxy_protocol_server_port", s -> s.proxyProtocol() == null ? null : Integer.toString(s.proxyProtocol().dstPort())),
            Map.entry("ssl_session_id", ConnectionScope::sslSessionId),
            Map.entry("pid", s -> Host.PID),
            Map.entry("nginx_version", s -> Variables.FERRY_VERSION),
            Map.entry("hostname", s -> Host.name()));


    private static final Map<String, Variable> BUILT_IN = Map.ofEntries(
            Map.entry("server_name", RequestScope::serverName),
            Map.entry("host", RequestScope::host),
            Map.entry("args", RequestScope::args),
            Map.entry("query_string", RequestScope::args),
            Map.entry("is_args", s -> s.args() == null || s.args().isEmpty() ? "" : "?"),
            Map.entry("uri", RequestScope::uri),
            Map.entry("document_uri", RequestScope::uri),
            Map.entry("request_uri", RequestScope::requestUri),
            Map.entry("request_method", RequestScope::method),
            Map.entry("scheme", RequestScope::scheme),
            Map.entry("server_protocol", RequestScope::protocol),
            Map.entry("request_id", RequestScope::requestId),
            Map.entry("content_type", s -> s.requestHeader("content-type")),
            Map.entry("proxy_add_x_forwarded_for", Variables::forwardedFor),
            Map.entry("request", s -> s.method() + " " + s.requestUri() + " " + s.protocol()),
            Map.entry("remote_user", Variables::remoteUser),
            Map.entry("body_bytes_sent", RequestScope::bodyBytesSent),
            Map.entry("request_length", RequestScope::requestLength),
            Map.entry("request_time", RequestScope::requestTime),
            Map.entry("connection_requests", RequestScope::connectionRequests),
            Map.entry("connection_time", RequestScope::connectionTime),
            Map.entry("upstream_status", RequestScope::upstreamStatus),
            Map.entry("upstream_response_time", RequestScope::upstreamResponseTime),
            Map.entry("upstream_header_time", RequestScope::upstreamHeaderTime),
            Map.entry("upstream_response_length", RequestScope::upstreamResponseLength),
            Map.entry("upstream_bytes_received", RequestScope::upstreamBytesReceived),
            Map.entry("upstream_bytes_sent", RequestScope::upstreamBytesSent),
            Map.entry("document_root", RequestScope::documentRoot),
            Map.entry("realpath_root", Variables::realpathRoot),
            Map.entry("request_filename", RequestScope::requestFilename),
            Map.entry("request_scheme", RequestScope::scheme),
            Map.entry("https", s -> "https".equals(s.scheme()) ? "on" : ""));

    private static final Map<String, Variable> MODULES = io.ferry.module.Modules.variables();

    private final Map<String, ConnectionVariable> defined = new HashMap<>();
    /** Stream's names some `set` assigns: a session's assigned value comes before the variable's own (a map's). */
    private final java.util.Set<String> assigned = new java.util.HashSet<>();
    private final boolean requests;

    /** What $nginx_version reports (fastcgi_params sends it as SERVER_SOFTWARE "nginx/..."): Ferry's version. */
    private static final String FERRY_VERSION = Variables.class.getPackage().getImplementationVersion() == null
            ? "dev" : Variables.class.getPackage().getImplementationVersion();

    /** http's namespace. */
    public Variables() {
        this.requests = true;
    }

    private Variables(Map<String, ConnectionVariable> own) {
        this.requests = false;
        defined.putAll(own);
    }

    /** A namespace without requests (stream's): a connection's built-in variables and {@code own}, nothing else. */
    public static Variables withoutRequests(Map<String, ConnectionVariable> own) {
        return new Variables(own);
    }

    /** Declares a configuration-defined variable ({@code map}); only called while a configuration is built. */
    public void define(String name, ConnectionVariable variable) {
        defined.put(name, variable);
    }

    /** A variable assigned by `set`: per request, empty until set. */
    public void defineUserVariable(String name) {
        if (!requests) {
            assigned.add(name);
        }
        if (!CONNECTION.containsKey(name) && !io.ferry.tls.TlsPeer.VARIABLES.containsKey(name) && !BUILT_IN.containsKey(name) && !MODULES.containsKey(name)) {
            // a family member ($http_foo) set elsewhere keeps its family's value where no set ran, as in nginx
            Variable family = requests ? family(name) : null;
            defined.putIfAbsent(name, family == null ? (ConnectionVariable) s -> s instanceof SessionScope session ? session.userVariable(name) : null
                    : (Variable) s -> {
                        String assigned = s.userVariable(name);
                        return assigned != null ? assigned : family.value(s);
                    });
        }
    }

    /** A named capture of some regex in the configuration: nginx makes every one a variable. */
    public void defineCapture(String name) {
        defined.putIfAbsent(name, s -> s instanceof SessionScope session ? session.capture(name) : null);
    }

    /** $1..$9: the groups of the last regex match, in both namespaces. */
    private static boolean isCapture(String name) {
        return name.length() == 1 && Character.isDigit(name.charAt(0));
    }

    public boolean isDefined(String name) {
        return defined.containsKey(name) || isCapture(name) || CONNECTION.containsKey(name) || io.ferry.tls.TlsPeer.VARIABLES.containsKey(name)
                || name.startsWith(io.ferry.proxyprotocol.TlvVariable.PREFIX)
                || requests && (BUILT_IN.containsKey(name) || MODULES.containsKey(name));
    }

    public ConnectionVariable resolve(String name) {
        ConnectionVariable own = resolveOwn(name);
        if (!assigned.contains(name)) {
            return own;
        }
        return s -> {
            String value = s instanceof SessionScope session ? session.userVariable(name) : null;
            return value != null ? value : own.value(s);
        };
    }

    private ConnectionVariable resolveOwn(String name) {
        ConnectionVariable v = defined.get(name);
        if (v == null) {
            v = CONNECTION.get(name);
        }
        if (v == null && io.ferry.tls.TlsPeer.VARIABLES.containsKey(name)) {
            java.util.function.Function<io.ferry.tls.TlsPeer, String> f = io.ferry.tls.TlsPeer.VARIABLES.get(name);
            v = s -> s.tlsPeer() == null ? null : f.apply(s.tlsPeer());
        }
        if (v == null && requests) {
            v = BUILT_IN.get(name);
            if (v == null) {
                v = MODULES.get(name);
            }
        }
        if (v != null) {
            return v;
        }
        if (name.startsWith(io.ferry.proxyprotocol.TlvVariable.PREFIX)) {
            var tlv = io.ferry.proxyprotocol.TlvVariable.of(name.substring(io.ferry.proxyprotocol.TlvVariable.PREFIX.length()));
            return s -> s.proxyProtocol() == null ? null : tlv.apply(s.proxyProtocol());
        }
        if (isCapture(name)) {
            int group = name.charAt(0) - '0';
            return s -> s instanceof SessionScope session ? session.capture(group) : null;
        }
        if (requests) {
            Variable family = family(name);
            if (family != null) {
                return family;
            }
        }
        throw new UnknownVariableException(name);
    }

    private static final java.util.Set<String> FAMILIES =
            java.util.Set.of("http_", "sent_http_", "sent_trailer_", "upstream_http_", "upstream_cookie_", "cookie_",
                    "arg_");

    /**
     * $1..$9, $http_NAME, $sent_http_NAME, $sent_trailer_NAME, $upstream_http_NAME, $upstream_cookie_NAME,
     * $cookie_NAME, $arg_NAME, or null.
     */
    private static Variable family(String name) {
        if (FAMILIES.contains(name)) {
            // nginx knows a family by its prefix alone; an empty name never matches anything
            return s -> null;
        }
        if (name.startsWith("http_") && name.length() > 5) {
            String header = name.substring(5).toLowerCase(Locale.ROOT).replace('_', '-');
            String underscored = name.substring(5).toLowerCase(Locale.ROOT);
            if (underscored.equals(header)) {
                return s -> s.requestHeader(header);
            }
            // nginx reads a field's '-' as '_': one sent as x_foo (underscores_in_headers on) is $http_x_foo too
            return s -> {
                String value = s.requestHeader(header);
                return value != null ? value : s.requestHeader(underscored);
            };
        }
        if (name.startsWith("sent_http_") && name.length() > 10) {
            String header = name.substring(10).toLowerCase(Locale.ROOT).replace('_', '-');
            return s -> s.sentHeader(header);
        }
        if (name.startsWith("sent_trailer_") && name.length() > 13) {
            String field = name.substring(13).toLowerCase(Locale.ROOT).replace('_', '-');
            return s -> s.sentTrailer(field);
        }
        if (name.startsWith("upstream_http_") && name.length() > 14) {
            String header = name.substring(14).toLowerCase(Locale.ROOT).replace('_', '-');
            return s -> s.upstreamHeader(header);
        }
        if (name.startsWith("upstream_cookie_") && name.length() > 16) {
            String cookie = name.substring(16);
            return s -> s.upstreamCookie(cookie);
        }
        if (name.startsWith("cookie_") && name.length() > 7) {
            String cookie = name.substring(7);
            return s -> cookie(s.requestHeader("cookie"), cookie);
        }
        if (name.startsWith("arg_") && name.length() > 4) {
            String arg = name.substring(4);
            return s -> arg(s.args(), arg);
        }
        return null;
    }

    private static String forwardedFor(RequestScope s) {
        String prior = s.requestHeader("x-forwarded-for");
        return prior == null ? s.remoteAddr() : prior + ", " + s.remoteAddr();
    }

    /** The user name of Basic authentication, as nginx's $remote_user (not verified here). */
    static String remoteUser(RequestScope s) {
        BasicCredentials credentials = BasicCredentials.of(s);
        return credentials == null ? null : credentials.userName();
    }

    /** $realpath_root: $document_root with every symbolic link resolved, or not found when it does not exist. */
    static String realpathRoot(RequestScope s) {
        String root = s.documentRoot();
        if (root == null) {
            return null;
        }
        try {
            return java.nio.file.Path.of(root).toRealPath().toString();
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    /**
     * nginx's ngx_http_parse_cookie_lines over the Cookie lines joined by "; ": pairs are separated by
     * ";" only, so a value runs to the next ";" whatever commas it holds.
     */
    static String cookie(String header, String name) {
        if (header == null) {
            return null;
        }
        int n = header.length();
        int start = 0;
        while (start < n) {
            if (header.regionMatches(true, start, name, 0, name.length())) {
                int p = skipSpaces(header, start + name.length());
                if (p < n && header.charAt(p) == '=') {
                    p = skipSpaces(header, p + 1);
                    int end = header.indexOf(';', p);
                    return header.substring(p, end < 0 ? n : end);
                }
            }
            int next = header.indexOf(';', start);
            if (next < 0) {
                return null;
            }
            start = skipSpaces(header, next + 1);
        }
        return null;
    }

    /**
     * nginx's ngx_http_parse_set_cookie_lines: the first Set-Cookie line whose cookie (its first pair)
     * has that name gives its value, up to the attributes.
     */
    public static String setCookie(Iterable<String> lines, String name) {
        for (String line : lines) {
            if (line.length() <= name.length() || !line.regionMatches(true, 0, name, 0, name.length())) {
                continue;
            }
            int p = skipSpaces(line, name.length());
            if (p < line.length() && line.charAt(p) == '=') {
                p = skipSpaces(line, p + 1);
                int end = line.indexOf(';', p);
                return line.substring(p, end < 0 ? line.length() : end);
            }
        }
        return null;
    }

    private static int skipSpaces(String s, int from) {
        while (from < s.length() && s.charAt(from) == ' ') {
            from++;
        }
        return from;
    }

    /** nginx matches argument names case-insensitively and returns the raw (undecoded) value. */
    public static String arg(String args, String name) {
        if (args == null) {
            return null;
        }
        for (String pair : args.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equalsIgnoreCase(name)) {
                return eq < 0 ? "" : pair.substring(eq + 1);
            }
        }
        return null;
    }
}
