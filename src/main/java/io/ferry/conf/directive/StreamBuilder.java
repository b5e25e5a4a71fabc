package io.ferry.conf.directive;

import io.ferry.module.DirectiveRows;
import io.ferry.conf.Addresses;
import io.ferry.conf.Values;
import io.ferry.conf.Context;
import static io.ferry.conf.Context.MAIN;
import static io.ferry.conf.Context.STREAM;
import static io.ferry.conf.Context.STREAM_SERVER;
import static io.ferry.conf.Context.STREAM_UPSTREAM;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.log.LogFormats;
import io.ferry.model.Listen;
import io.ferry.model.StreamConfig;
import io.ferry.model.StreamServer;
import io.ferry.model.Tls;
import io.ferry.model.Upstream;
import io.ferry.variable.SessionScope;
import io.ferry.variable.Template;
import io.ferry.variable.Variables;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stream block (nginx's ngx_stream_core/proxy/upstream/ssl/log modules): its directive rows
 * and the {@link StreamConfig} built from it. Stream has its own variable namespace: the stream
 * module's variables only, so an HTTP variable in a stream log_format or hash key is reported as
 * unknown, as nginx does.
 */
final class StreamBuilder {
    private static final Duration DEFAULT_PROXY_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(60);
    private static final Set<String> LEVELS = Set.of("debug", "info", "notice", "warn", "error", "crit", "alert", "emerg");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z0-9_]+)");
    /** The stream variables Ferry provides (ngx_stream_core, upstream and ssl modules). */
    static final Set<String> STREAM_VARIABLES = Set.of("remote_addr", "remote_port", "server_addr", "server_port",
            "bytes_sent", "bytes_received", "connection", "msec", "time_local", "time_iso8601", "protocol",
            "session_time", "status", "upstream_addr", "upstream_bytes_sent", "upstream_bytes_received",
            "upstream_connect_time", "upstream_session_time", "ssl_protocol", "ssl_cipher");

    private final ConfigBuilder config;
    private final Path prefix;

    StreamBuilder(ConfigBuilder config, Path prefix) {
        this.config = config;
        this.prefix = prefix;
    }

    static void rows(DirectiveRows t) {
        Set<Context> ss = EnumSet.of(STREAM, STREAM_SERVER);
        t.add("stream", EnumSet.of(MAIN), 0, 0, STREAM, false);
        t.add("upstream", EnumSet.of(STREAM), 1, 1, STREAM_UPSTREAM, true);
        t.add("server", EnumSet.of(STREAM), 0, 0, STREAM_SERVER, true);
        t.add("server", EnumSet.of(STREAM_UPSTREAM), 1, DirectiveRows.ANY, null, true);
        t.add("least_conn", EnumSet.of(STREAM_UPSTREAM), 0, 0, null, false);
        t.add("hash", EnumSet.of(STREAM_UPSTREAM), 1, 2, null, false);
        t.add("listen", EnumSet.of(STREAM_SERVER), 1, DirectiveRows.ANY, null, true);
        t.add("proxy_pass", EnumSet.of(STREAM_SERVER), 1, 1, null, false);
        for (String name : new String[] {"proxy_timeout", "proxy_connect_timeout", "proxy_next_upstream",
                "proxy_next_upstream_tries", "proxy_next_upstream_timeout", "proxy_buffer_size", "tcp_nodelay",
                "ssl_certificate", "ssl_certificate_key", "ssl_ciphers", "ssl_handshake_timeout"}) {
            t.add(name, ss, 1, 1, null, false);
        }
        t.add("ssl_protocols", ss, 1, DirectiveRows.ANY, null, false);
        t.add("access_log", ss, 1, DirectiveRows.ANY, null, true);
        t.add("error_log", ss, 1, 2, null, true);
        t.add("log_format", EnumSet.of(STREAM), 2, DirectiveRows.ANY, null, true);
    }

    /** The stream namespace: built-ins shared with HTTP plus the session's own counters. */
    static Variables variables() {
        Variables v = new Variables();
        v.define("bytes_received", s -> s instanceof SessionScope ss ? ss.bytesReceived() : null);
        v.define("session_time", s -> s instanceof SessionScope ss ? ss.sessionTime() : null);
        v.define("upstream_bytes_sent", s -> s instanceof SessionScope ss ? ss.upstreamBytesSent() : null);
        v.define("upstream_bytes_received", s -> s instanceof SessionScope ss ? ss.upstreamBytesReceived() : null);
        v.define("upstream_session_time", s -> s instanceof SessionScope ss ? ss.upstreamSessionTime() : null);
        v.define("protocol", s -> "TCP");
        return v;
    }

    StreamConfig build(Scope stream) throws ConfException {
        Variables variables = variables();
        for (Directive u : stream.ownAll("upstream")) {
            for (Directive d : u.block()) {
                if (d.name().equals("hash")) {
                    checkNames(d, d.args().get(0));
                }
            }
        }
        Map<String, Upstream> upstreams = UpstreamBuilder.build(stream, variables, true);
        LogFormats logs = LogFormats.stream(new ModuleLevel(stream, variables, prefix, null, upstreams), StreamBuilder::checkNames);
        checkLevelValues(stream);
        List<StreamServer> servers = new ArrayList<>();
        Map<String, Listen> sockets = new HashMap<>();
        for (Directive block : stream.ownAll("server")) {
            StreamServer server = server(new Scope(stream, block.block()), block, upstreams, logs, variables);
            for (Listen l : server.listens()) {
                if (sockets.putIfAbsent(l.socketKey(), l) != null) {
                    throw new ConfException("duplicate \"" + l.socketKey() + "\" address and port pair", l.file(), l.line());
                }
            }
            servers.add(server);
        }
        return new StreamConfig(List.copyOf(servers));
    }

    private StreamServer server(Scope s, Directive block, Map<String, Upstream> upstreams, LogFormats logs,
                                Variables variables) throws ConfException {
        List<Listen> listens = new ArrayList<>();
        for (Directive d : s.ownAll("listen")) {
            listens.add(listen(d));
        }
        if (listens.isEmpty()) {
            throw Values.error(block, "no \"listen\" is defined for server");
        }
        checkLevelValues(s);
        Directive pass = s.own("proxy_pass");
        if (pass == null) {
            throw Values.error(block, "no handler for server");
        }
        Upstream upstream = UpstreamBuilder.target(pass, upstreams);
        Tls tls = config.tls(s, listens, block);
        Directive next = s.inherited("proxy_next_upstream");
        Directive tries = s.inherited("proxy_next_upstream_tries");
        int n = tries == null || tries.args().get(0).equals("0") ? 0 : Values.positiveInt(tries, tries.args().get(0));
        return new StreamServer(List.copyOf(listens), tls, time(s, "ssl_handshake_timeout", DEFAULT_HANDSHAKE_TIMEOUT),
                upstream, time(s, "proxy_timeout", DEFAULT_PROXY_TIMEOUT),
                time(s, "proxy_connect_timeout", DEFAULT_CONNECT_TIMEOUT),
                next == null || Values.flag(next), n, time(s, "proxy_next_upstream_timeout", Duration.ZERO),
                logs.accessLogs(new ModuleLevel(s, variables, prefix, null, upstreams)), block.file(), block.line());
    }

    /** Values written at this level that nothing else reads are still checked, as nginx does when it parses them. */
    private static void checkLevelValues(Scope s) throws ConfException {
        Directive nodelay = s.own("tcp_nodelay");
        if (nodelay != null) {
            Values.flag(nodelay);
        }
        Directive buffer = s.own("proxy_buffer_size");
        if (buffer != null) {
            Values.size(buffer, buffer.args().get(0));
        }
        for (Directive d : s.ownAll("error_log")) {
            if (d.args().size() > 1 && !LEVELS.contains(d.args().get(1))) {
                throw Values.error(d, "invalid log level \"" + d.args().get(1) + "\"");
            }
        }
    }

    private static Listen listen(Directive d) throws ConfException {
        String address = d.args().get(0);
        if (address.startsWith("unix:")) {
            throw Values.error(d, "unix domain sockets are not supported in \"" + address + "\"");
        }
        Addresses.HostPort hp = Addresses.parse(d, address, 0, true);
        if (hp.port() == 0) {
            throw Values.error(d, "no port in \"" + address + "\" of the \"listen\" directive");
        }
        boolean ssl = false;
        for (String p : d.args().subList(1, d.args().size())) {
            switch (p) {
                case "ssl" -> ssl = true;
                case "udp" -> throw Values.error(d, "UDP is not supported in \"listen\" (TCP only)");
                default -> throw Values.error(d, "invalid parameter \"" + p + "\"");
            }
        }
        return new Listen(hp.host(), hp.port(), ssl, false, d.file(), d.line());
    }

    private static Duration time(Scope s, String name, Duration dflt) throws ConfException {
        Directive d = s.inherited(name);
        return d == null ? dflt : Values.time(d, d.args().get(0));
    }

    /** Only stream variables exist in stream: "$uri" in a stream log_format is nginx's unknown variable. */
    private static void checkNames(Directive d, String text) throws ConfException {
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (!STREAM_VARIABLES.contains(name)) {
                throw Values.error(d, "unknown \"" + name + "\" variable");
            }
        }
    }
}
