package io.ferry.stream;

import io.ferry.proxy.ProxySsl;
import io.ferry.conf.ConfException;
import io.ferry.conf.ListenParameters;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.log.Syslog;
import io.ferry.model.Listen;
import io.ferry.module.limitconn.LimitConnModule;
import io.ferry.tls.Tls;
import io.ferry.upstream.Upstream;
import io.ferry.module.Level;
import io.ferry.variable.Template;
import io.ferry.variable.Variables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@link StreamConfig} built from the stream block. Stream has its own variable namespace, a
 * connection's variables and the session's own, so an HTTP variable in a stream log_format or hash
 * key is reported as unknown, as nginx does.
 */
public final class StreamSettings {
    private static final Duration DEFAULT_PROXY_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DEFAULT_PROXY_PROTOCOL_TIMEOUT = Duration.ofSeconds(30);
    private static final int DEFAULT_PREREAD_BUFFER = 16 * 1024;
    private static final Duration DEFAULT_PREREAD_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> LEVELS = Set.of("debug", "info", "notice", "warn", "error", "crit", "alert", "emerg");
    private static final Set<String> UDP_REFUSED = Set.of("backlog=", "so_keepalive=", "fastopen=", "deferred");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z0-9_]+)");

    private StreamSettings() {
    }

    public static StreamConfig build(StreamLoader loader) throws ConfException {
        Variables variables = Variables.withoutRequests(StreamModules.variables(StreamVariables.OWN));
        Level stream = loader.block(variables, (d, text) -> checkNames(variables, d, text), StreamModules::defineVariables);
        checkLevelValues(stream);
        Map<String, LimitConnModule.Zone> zones = LimitConnModule.zones(stream, "stream_limit_conn");
        List<StreamServer> servers = new ArrayList<>();
        Map<String, Listen> sockets = new HashMap<>();
        for (Directive block : stream.ownAll("server")) {
            StreamServer server = server(loader, loader.server(block), block, zones);
            for (Listen l : server.listens()) {
                if (sockets.putIfAbsent(l.socketKey(), l) != null) {
                    throw new ConfException("duplicate \"" + l.socketKey() + "\" address and port pair", l.file(), l.line());
                }
            }
            // a UDP socket may share its address and port with a TCP one
            for (Listen l : server.udp().listens()) {
                if (sockets.putIfAbsent("udp " + l.socketKey(), l) != null) {
                    throw new ConfException("duplicate \"" + l.socketKey() + "\" address and port pair", l.file(), l.line());
                }
            }
            servers.add(server);
        }
        return new StreamConfig(List.copyOf(servers), loader.accessLogs(stream));
    }

    private static StreamServer server(StreamLoader loader, Level s, Directive block, Map<String, LimitConnModule.Zone> zones)
            throws ConfException {
        List<Listen> listens = new ArrayList<>();
        List<Listen> udp = new ArrayList<>();
        for (Directive d : s.ownAll("listen")) {
            (d.args().contains("udp") ? udp : listens).add(listen(loader, d));
        }
        if (listens.isEmpty() && udp.isEmpty()) {
            throw Values.error(block, "no \"listen\" is defined for server");
        }
        checkLevelValues(s);
        // as nginx, proxy_pass and return each set the server's content handler: the last one written wins
        Directive content = null;
        for (Directive d : s.written()) {
            if (d.name().equals("proxy_pass") || d.name().equals("return")) {
                content = d;
            }
        }
        if (content == null) {
            throw Values.error(block, "no handler for server");
        }
        boolean returns = content.name().equals("return");
        boolean variablePass = !returns && content.args().get(0).indexOf('$') >= 0;
        Upstream upstream = returns || variablePass ? null : s.upstream(content, true);
        StreamPassValue passValue = variablePass
                ? new StreamPassValue(s.template(content, content.args().get(0)), s.upstreamNames()) : null;
        Template returnText = returns ? s.template(content, content.args().get(0)) : null;
        if (!udp.isEmpty()) {
            refuseForUdp(s, content, upstream);
        }
        Tls tls = loader.tls(s, listens, block);
        int tries = s.tries("proxy_next_upstream_tries");
        return new StreamServer(List.copyOf(listens), tls, s.time("ssl_handshake_timeout", DEFAULT_HANDSHAKE_TIMEOUT),
                s.time("proxy_protocol_timeout", DEFAULT_PROXY_PROTOCOL_TIMEOUT), s.flag("proxy_protocol", false),
                StreamModules.phases(s), prereadBuffer(s),
                s.time("preread_timeout", DEFAULT_PREREAD_TIMEOUT), upstream, passValue, returnText, s.time("proxy_timeout", DEFAULT_PROXY_TIMEOUT),
                s.time("proxy_connect_timeout", DEFAULT_CONNECT_TIMEOUT),
                s.flag("proxy_next_upstream", true), tries, s.time("proxy_next_upstream_timeout", Duration.ZERO),
                s.flag("proxy_half_close", false), StreamLimitConn.of(s, zones),
                rate(s, "proxy_download_rate"), rate(s, "proxy_upload_rate"),
                !returns && s.flag("proxy_ssl", false) ? ProxySsl.parse(s) : null,
                loader.accessLogs(s), new StreamServer.Udp(List.copyOf(udp), count(s, "proxy_responses", -1),
                        count(s, "proxy_requests", 0)), block.file(), block.line());
    }

    /** preread_buffer_size: what the preread phase may hold (nginx's 16k by default). */
    private static int prereadBuffer(Level s) throws ConfException {
        Directive d = s.inherited("preread_buffer_size");
        return d == null ? DEFAULT_PREREAD_BUFFER : (int) Math.min(Integer.MAX_VALUE, Values.size(d, d.args().get(0)));
    }

    /** proxy_download_rate, proxy_upload_rate: bytes a second, 0 (the default) for no limit. */
    private static long rate(Level s, String name) throws ConfException {
        Directive d = s.inherited(name);
        return d == null ? 0 : Values.size(d, d.args().get(0));
    }

    /** What UDP sessions do not do yet: refused rather than ignored. */
    private static void refuseForUdp(Level s, Directive content, Upstream upstream) throws ConfException {
        if (upstream != null && upstream.servers().stream().anyMatch(u -> u.unixPath() != null)) {
            throw Values.error(content, "unix domain sockets are not supported with \"listen ... udp\"");
        }
        Directive header = s.inherited("proxy_protocol");
        if (header != null && Values.flag(header)) {
            throw Values.error(header, "\"proxy_protocol\" is not supported with \"listen ... udp\"");
        }
        for (String name : new String[] {"proxy_download_rate", "proxy_upload_rate"}) {
            if (rate(s, name) > 0) {
                throw Values.error(s.inherited(name), "\"" + name + "\" is not supported with \"listen ... udp\"");
            }
        }
    }

    /** proxy_responses, proxy_requests: a number, {@code none} when not written. */
    private static int count(Level s, String name, int none) throws ConfException {
        Directive d = s.inherited(name);
        if (d == null) {
            return none;
        }
        String v = d.args().get(0);
        if (!v.matches("[0-9]{1,9}")) {
            throw Values.error(d, "invalid number \"" + v + "\"");
        }
        return Integer.parseInt(v);
    }

    /** Values written at this level that nothing else reads are still checked, as nginx does when it parses them. */
    private static void checkLevelValues(Level s) throws ConfException {
        Directive nodelay = s.own("tcp_nodelay");
        if (nodelay != null) {
            Values.flag(nodelay);
        }
        Directive buffer = s.own("proxy_buffer_size");
        if (buffer != null) {
            Values.size(buffer, buffer.args().get(0));
        }
        for (Directive d : s.ownAll("error_log")) {
            if (Syslog.named(d.args().get(0))) {
                Syslog.parse(d, d.args().get(0));
            }
            if (d.args().size() > 1 && !LEVELS.contains(d.args().get(1))) {
                throw Values.error(d, "invalid log level \"" + d.args().get(1) + "\"");
            }
        }
    }

    private static Listen listen(StreamLoader loader, Directive d) throws ConfException {
        String address = d.args().get(0);
        if (address.startsWith("unix:")) {
            return unixListen(d, address);
        }
        Listen a = loader.address(d, address);
        if (a.port() == 0) {
            throw Values.error(d, "no port in \"" + address + "\" of the \"listen\" directive");
        }
        boolean ssl = false;
        boolean proxyProtocol = false;
        boolean udp = d.args().contains("udp");
        ListenParameters socket = new ListenParameters(d, a.host());
        for (String p : d.args().subList(1, d.args().size())) {
            switch (p) {
                case "ssl" -> ssl = true;
                case "proxy_protocol" -> proxyProtocol = true;
                case "udp" -> { }
                default -> {
                    if (udp && UDP_REFUSED.contains(p.replaceAll("=.*", "="))) {
                        // nginx's own words: these are TCP's (a datagram socket has no accept queue nor keepalive)
                        throw Values.error(d, "\"" + p.replaceAll("=.*", "") + "\" parameter is incompatible with \"udp\"");
                    }
                    if (!socket.accept(p)) {
                        throw Values.error(d, "invalid parameter \"" + p + "\"");
                    }
                }
            }
        }
        if (udp && (ssl || proxyProtocol)) {
            throw Values.error(d, "\"" + (ssl ? "ssl" : "proxy_protocol") + "\" parameter is incompatible with \"udp\"");
        }
        return new Listen(a.host(), a.port(), ssl, false, proxyProtocol, socket.options(), d.file(), d.line());
    }

    /** listen unix:PATH [ssl] [proxy_protocol]: a socket of its own, port 0; TCP's socket parameters do not apply. */
    private static Listen unixListen(Directive d, String address) throws ConfException {
        if (address.length() == "unix:".length()) {
            throw Values.error(d, "no path in the unix domain socket \"" + address + "\"");
        }
        boolean ssl = false;
        boolean proxyProtocol = false;
        for (String p : d.args().subList(1, d.args().size())) {
            switch (p) {
                case "ssl" -> ssl = true;
                case "proxy_protocol" -> proxyProtocol = true;
                default -> throw Values.error(d, "invalid parameter \"" + p + "\"");
            }
        }
        return new Listen(address, 0, ssl, false, proxyProtocol, io.ferry.net.SocketOptions.DEFAULT, d.file(), d.line());
    }

    /** Only stream variables exist in stream: "$uri" in a stream log_format is nginx's unknown variable. */
    private static void checkNames(Variables variables, Directive d, String text) throws ConfException {
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (!variables.isDefined(name)) {
                throw Values.error(d, "unknown \"" + name + "\" variable");
            }
        }
    }
}
