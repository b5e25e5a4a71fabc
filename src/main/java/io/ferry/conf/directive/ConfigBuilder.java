package io.ferry.conf.directive;

import io.ferry.conf.Addresses;
import io.ferry.conf.ListenParameters;
import io.ferry.net.SocketOptions;
import io.ferry.conf.Values;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.log.ErrorLog;
import io.ferry.model.FerryConfig;
import io.ferry.model.HttpConfig;
import io.ferry.model.Listen;
import io.ferry.model.ServerLimits;
import io.ferry.model.ServerName;
import io.ferry.tls.DhParams;
import io.ferry.tls.Tls;
import io.ferry.tls.Tls.ServerCertificate;
import io.ferry.tls.TlsOptions;
import io.ferry.tls.TlsSessions;
import io.ferry.tls.ocsp.Stapling;
import io.ferry.upstream.Upstream;
import io.ferry.model.VirtualServer;
import io.ferry.model.ModuleSettings;
import io.ferry.module.Modules;
import io.ferry.stream.StreamConfig;
import io.ferry.stream.StreamLoader;
import io.ferry.stream.StreamSettings;
import io.ferry.variable.MapVariable;
import io.ferry.variable.Template;
import io.ferry.variable.Variables;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/** Builds the immutable model from a validated directive tree (main, events, http, map, server). */
final class ConfigBuilder {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConfigBuilder.class);

    private static final Set<String> SSL_PROTOCOLS = Set.of("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    private final Path prefix;
    private final Path confFile;
    private final io.ferry.tls.TlsOptions.Loader tlsOptions;

    ConfigBuilder(Path prefix, Path confFile) {
        this.prefix = prefix.toAbsolutePath();
        this.confFile = confFile.toAbsolutePath();
        this.tlsOptions = new io.ferry.tls.TlsOptions.Loader(this::confRelative);
    }

    FerryConfig build(List<Directive> main) throws ConfException {
        Scope scope = new Scope(null, main);
        int workers = 1;
        Directive wp = scope.own("worker_processes");
        if (wp != null) {
            workers = wp.args().get(0).equals("auto") ? FerryConfig.AUTO : Values.positiveInt(wp, wp.args().get(0));
        }
        if (scope.own("worker_rlimit_nofile") != null) {
            Values.positiveInt(scope.own("worker_rlimit_nofile"), scope.own("worker_rlimit_nofile").args().get(0));
        }
        for (String flag : new String[] {"daemon", "master_process", "pcre_jit"}) {
            if (scope.own(flag) != null) {
                Values.flag(scope.own(flag));
            }
        }
        int connections = 512;
        Directive events = scope.own("events");
        if (events != null) {
            Directive wc = new Scope(null, events.block()).own("worker_connections");
            if (wc != null) {
                connections = Values.positiveInt(wc, wc.args().get(0));
            }
        }
        Directive pid = scope.own("pid");
        Path pidFile = prefixed(pid == null ? "logs/ferry.pid" : pid.args().get(0));
        List<ErrorLog> errorLogs = ErrorLog.of(scope.ownAll("error_log"), prefix);
        Directive http = scope.own("http");
        HttpConfig httpConfig = http == null ? new HttpConfig(List.of(), List.of()) : http(new Scope(scope, http.block()), http.block());
        Directive shutdown = scope.own("worker_shutdown_timeout");
        Duration shutdownTimeout = shutdown == null ? null : Values.time(shutdown, shutdown.args().get(0));
        Directive stream = scope.own("stream");
        StreamConfig streamConfig = stream == null ? StreamConfig.NONE : StreamSettings.build(new StreamBlock(this, prefix, new Scope(scope, stream.block())));
        return new FerryConfig(prefix, confFile, workers, connections, pidFile, errorLogs, shutdownTimeout, httpConfig, streamConfig);
    }

    private HttpConfig http(Scope http, List<Directive> block) throws ConfException {
        Variables variables = new Variables();
        NamedCaptures.define(block, variables);
        maps(http, variables, Modules::defineVariables);
        for (String flag : LocationBuilder.FLAGS) {
            if (http.own(flag) != null) {
                Values.flag(http.own(flag));
            }
        }
        hashSizes(http);
        TlsSessions.parse(http::own);
        Map<String, String> types = types(http);
        Map<String, Upstream> upstreams = UpstreamBuilder.build(http, variables);
        ModuleSettings httpModules = Modules.httpSettings(new ModuleLevel(http, variables, prefix, confPrefix(), null, upstreams));
        // Built for its checks only: a bad value written at http level is reported even where no server inherits it.
        Modules.settings(new ModuleLevel(http, variables, prefix, confPrefix(), null, upstreams, httpModules, null));
        LocationBuilder locations = new LocationBuilder(prefix, confPrefix(), variables, types, upstreams, httpModules);
        List<VirtualServer> servers = new ArrayList<>();
        for (Directive s : http.ownAll("server")) {
            servers.add(server(new Scope(http, s.block()), s, locations));
        }
        checkDefaultServers(servers);
        Tls.requireDefaultCertificates(servers);
        List<InetSocketAddress> demos = new ArrayList<>();
        for (Directive d : http.ownAll("demo_backend")) {
            Addresses.HostPort hp = Addresses.parse(d, d.args().get(0), 80, false);
            demos.add(new InetSocketAddress(hp.host() == null ? "0.0.0.0" : hp.host(), hp.port()));
        }
        return new HttpConfig(List.copyOf(servers), List.copyOf(demos));
    }

    /**
     * map blocks of http or stream: each defines its variable in that namespace; {@code blocks}
     * defines the variables of the namespace's other blocks (geo, split_clients) in between.
     */
    void maps(Scope http, Variables variables, StreamLoader.VariableBlocks blocks) throws ConfException {
        Map<Directive, MapVariable> declared = new HashMap<>();
        for (Directive d : http.ownAll("map")) {
            String name = d.args().get(1);
            if (!name.startsWith("$") || name.length() < 2) {
                throw Values.error(d, "invalid variable name \"" + name + "\"");
            }
            MapVariable map = new MapVariable();
            variables.define(name.substring(1), map);
            declared.put(d, map);
        }
        blocks.define(new ModuleLevel(http, variables, prefix, confPrefix(), null, Map.of()), variables);
        for (Directive d : http.ownAll("map")) {
            MapVariable map = declared.get(d);
            map.source(template(d, d.args().get(0), variables));
            for (Directive entry : d.block()) {
                if (entry.name().equals("hostnames") && entry.args().isEmpty()) {
                    map.hostnames();
                }
            }
            for (Directive entry : d.block()) {
                if (entry.name().equals("hostnames") && entry.args().isEmpty()) {
                    continue;
                }
                if (entry.name().equals("volatile") && entry.args().isEmpty()) {
                    map.volatileValue();
                    continue;
                }
                if (entry.args().size() != 1 || entry.hasBlock()) {
                    throw Values.error(entry, "invalid number of the map parameters");
                }
                Template value = template(entry, entry.args().get(0), variables);
                if (entry.name().equals("default")) {
                    map.defaultValue(value);
                    continue;
                }
                try {
                    if (!map.add(entry.name(), value)) {
                        throw Values.error(entry, "conflicting parameter \"" + entry.name() + "\"");
                    }
                } catch (PatternSyntaxException e) {
                    throw Values.error(entry, "invalid regex \"" + entry.name() + "\": " + e.getDescription());
                }
            }
        }
    }

    static Template template(Directive d, String text, Variables variables) throws ConfException {
        try {
            return Template.compile(text, variables);
        } catch (IllegalArgumentException e) {
            throw Values.error(d, e.getMessage());
        }
    }

    /**
     * The *_hash_bucket_size (a size) and *_hash_max_size (a number) lines of a level: checked as
     * nginx does, though Java's hash maps need no sizing.
     */
    static void hashSizes(Scope level) throws ConfException {
        for (String hash : DirectiveTable.HASHES) {
            Directive bucket = level.own(hash + "_bucket_size");
            if (bucket != null) {
                Values.size(bucket, bucket.args().get(0));
            }
            Directive max = level.own(hash + "_max_size");
            if (max != null) {
                Values.positiveInt(max, max.args().get(0));
            }
        }
    }

    private static Map<String, String> types(Scope http) throws ConfException {
        List<Directive> types = http.ownAll("types");
        if (types.isEmpty()) {
            return Map.of("html", "text/html", "gif", "image/gif", "jpg", "image/jpeg");
        }
        return LocationBuilder.parseTypes(types);
    }

    private VirtualServer server(Scope s, Directive block, LocationBuilder locations) throws ConfException {
        List<Listen> listens = new ArrayList<>();
        for (Directive d : s.ownAll("listen")) {
            listens.addAll(listen(d));
        }
        if (listens.isEmpty()) {
            listens.add(new Listen(null, 80, false, false, SocketOptions.DEFAULT, block.file(), block.line()));
        }
        Directive legacySsl = s.inherited("ssl");
        if (legacySsl != null && Tls.legacySwitch(legacySsl)) {
            listens.replaceAll(l -> new Listen(l.host(), l.port(), true, l.http2(), l.defaultServer(), l.proxyProtocol(), l.socket(), l.file(), l.line()));
        }
        List<ServerName> names = new ArrayList<>();
        for (Directive d : s.ownAll("server_name")) {
            for (String n : d.args()) {
                try {
                    names.add(ServerName.parse(n));
                } catch (PatternSyntaxException e) {
                    throw Values.error(d, "invalid regex \"" + n + "\": " + e.getDescription());
                }
            }
        }
        boolean sslListen = listens.stream().anyMatch(Listen::ssl);
        // as in nginx, a server with a certificate has its TLS context even without "listen ... ssl" (SNI can
        // choose it on an address another server made TLS); one without can share the address's default one
        Tls tls = sslListen || s.inherited("ssl_certificate") != null || s.inherited("ssl_reject_handshake") != null
                ? serverTls(s, block) : null;
        return new VirtualServer(List.copyOf(listens), List.copyOf(names), tls, locations.locations(s),
                locations.serverSettings(s), limits(s), block.file(), block.line());
    }

    private static final long MAX_HEADER_BUFFER = 64L * 1024 * 1024;

    private static ServerLimits limits(Scope s) throws ConfException {
        ServerLimits limits = ServerLimits.DEFAULT;
        Directive small = s.inherited("client_header_buffer_size");
        Directive large = s.inherited("large_client_header_buffers");
        Directive timeout = s.inherited("client_header_timeout");
        int count = limits.largeBufferCount();
        int size = limits.largeBufferSize();
        if (large != null) {
            count = Values.positiveInt(large, large.args().get(0));
            long wanted = Values.size(large, large.args().get(1));
            if (wanted > MAX_HEADER_BUFFER) {
                throw Values.error(large, "\"large_client_header_buffers\" directive invalid value");
            }
            size = (int) wanted;
            if (size < 16) {
                throw Values.error(large, "the \"large_client_header_buffers\" size must be at least 16 bytes");
            }
        }
        long smallSize = small == null ? limits.headerBufferSize() : Values.size(small, small.args().get(0));
        // Netty sizes its header buffers with int arithmetic; beyond 64 MiB a header is an attack, not a request.
        if (smallSize < 1 || smallSize > MAX_HEADER_BUFFER) {
            throw Values.error(small, "\"client_header_buffer_size\" directive invalid value");
        }
        if ((long) count * size > MAX_HEADER_BUFFER) {
            throw Values.error(large, "\"large_client_header_buffers\" directive invalid value");
        }
        return new ServerLimits((int) smallSize, count, size,
                timeout == null ? limits.headerTimeout() : Values.time(timeout, timeout.args().get(0)));
    }

    private static List<Listen> listen(Directive d) throws ConfException {
        if (d.args().get(0).startsWith("unix:")) {
            return List.of(unixListen(d));
        }
        List<Addresses.HostPort> addresses = Addresses.parseListen(d, d.args().get(0), 80);
        String host = addresses.get(0).host();
        boolean ssl = false;
        boolean defaultServer = false;
        boolean proxyProtocol = false;
        boolean http2 = false;
        ListenParameters socket = new ListenParameters(d, host);
        for (String p : d.args().subList(1, d.args().size())) {
            switch (p) {
                case "ssl" -> ssl = true;
                case "http2" -> {
                    http2 = true;
                    LOG.warn("the \"listen ... http2\" directive is deprecated, use the \"http2\" directive instead in {}:{}",
                            d.file(), d.line());
                }
                case "default_server", "default" -> defaultServer = true;
                case "proxy_protocol" -> proxyProtocol = true;
                default -> {
                    if (!socket.accept(p)) {
                        throw Values.error(d, "invalid parameter \"" + p + "\"");
                    }
                }
            }
        }
        List<Listen> listens = new ArrayList<>();
        for (Addresses.HostPort hp : addresses) {
            listens.add(new Listen(host, hp.port(), ssl, http2, defaultServer, proxyProtocol, socket.options(), d.file(), d.line()));
        }
        return listens;
    }

    /** listen unix:PATH [ssl] [default_server]: a socket of its own, port 0; TCP's socket parameters do not apply. */
    private static Listen unixListen(Directive d) throws ConfException {
        String address = d.args().get(0);
        if (address.length() == "unix:".length()) {
            throw Values.error(d, "no path in the unix domain socket \"" + address + "\"");
        }
        boolean ssl = false;
        boolean defaultServer = false;
        for (String p : d.args().subList(1, d.args().size())) {
            switch (p) {
                case "ssl" -> ssl = true;
                case "default_server", "default" -> defaultServer = true;
                default -> throw Values.error(d, "invalid parameter \"" + p + "\"");
            }
        }
        return new Listen(address, 0, ssl, defaultServer, SocketOptions.DEFAULT, d.file(), d.line());
    }

    /** A stream server's TLS: every server with "listen ... ssl" has its certificate. */
    Tls tls(Scope s, List<Listen> listens, Directive block) throws ConfException {
        if (listens.stream().noneMatch(Listen::ssl)) {
            return null;
        }
        Tls tls = serverTls(s, block);
        if (tls.certificate() == null) {
            throw Values.error(block, Tls.NO_CERTIFICATE);
        }
        return tls;
    }

    /** The ssl_* settings of a server; without ssl_certificate, only what verifies clients. */
    private Tls serverTls(Scope s, Directive block) throws ConfException {
        Directive cert = s.inherited("ssl_certificate");
        Directive key = s.inherited("ssl_certificate_key");
        if (cert == null) {
            return new Tls(null, null, List.of(), null, false, TlsSessions.parse(s::inherited),
                    io.ferry.tls.ClientVerify.parse(s::inherited, this::confRelative, false), false,
                    tlsOptions.parse(s::inherited, s::inheritedAll), Stapling.OFF);
        }
        List<Directive> certs = s.inheritedAll("ssl_certificate");
        List<Directive> keys = s.inheritedAll("ssl_certificate_key");
        if (keys.size() < certs.size()) {
            throw Values.error(block, "no \"ssl_certificate_key\" is defined for certificate \""
                    + certs.get(certs.size() - 1).args().get(0) + "\"");
        }
        Directive selfSignedDirective = s.inherited("ssl_self_signed");
        boolean selfSigned = selfSignedDirective != null && Values.flag(selfSignedDirective);
        Path certPath = confRelative(cert.args().get(0));
        Path keyPath = confRelative(key.args().get(0));
        if (!selfSigned) {
            requireReadable(cert, certPath);
            requireReadable(key, keyPath);
        }
        List<String> protocols = List.of("TLSv1.2", "TLSv1.3");
        Directive p = s.inherited("ssl_protocols");
        if (p != null) {
            for (String proto : p.args()) {
                if (!SSL_PROTOCOLS.contains(proto)) {
                    throw Values.invalid(p, proto);
                }
            }
            protocols = List.copyOf(p.args());
        }
        Directive c = s.inherited("ssl_ciphers");
        Directive dh = s.inherited("ssl_dhparam");
        if (dh != null) {
            DhParams.check(dh, confRelative(dh.args().get(0)));
        }
        TlsOptions options = tlsOptions.parse(s::inherited, s::inheritedAll);
        List<ServerCertificate> certificates = new ArrayList<>();
        certificates.add(new ServerCertificate(certPath, keyPath, options.decryptedKey()));
        for (int i = 1; i < certs.size(); i++) {
            Path more = confRelative(certs.get(i).args().get(0));
            Path moreKey = confRelative(keys.get(i).args().get(0));
            requireReadable(certs.get(i), more);
            requireReadable(keys.get(i), moreKey);
            certificates.add(new ServerCertificate(more, moreKey, tlsOptions.decrypted(keys.get(i), s::inherited)));
        }
        return new Tls(certPath, keyPath, protocols, c == null ? "HIGH:!aNULL:!MD5" : c.args().get(0), selfSigned,
                TlsSessions.parse(s::inherited), io.ferry.tls.ClientVerify.parse(s::inherited, this::confRelative, true),
                s.inherited("ssl_prefer_server_ciphers") != null && Values.flag(s.inherited("ssl_prefer_server_ciphers")),
                options, Stapling.parse(s::inherited, this::confRelative), List.copyOf(certificates));
    }

    private static void requireReadable(Directive d, Path path) throws ConfException {
        if (!Files.isReadable(path)) {
            throw Values.error(d, "cannot load certificate \"" + path + "\": BIO_new_file() failed (No such file or directory)");
        }
    }

    private static void checkDefaultServers(List<VirtualServer> servers) throws ConfException {
        Map<String, Listen> defaults = new HashMap<>();
        for (VirtualServer vs : servers) {
            for (Listen l : vs.listens()) {
                if (l.defaultServer() && defaults.putIfAbsent(l.socketKey(), l) != null) {
                    throw new ConfException("a duplicate default server for " + l.socketKey(), l.file(), l.line());
                }
            }
        }
    }

    private Path prefixed(String path) {
        return prefix.resolve(path).normalize();
    }

    private Path confRelative(String path) {
        return confFile.getParent().resolve(path).normalize();
    }

    /** The directory of the main configuration file (nginx's conf prefix). */
    Path confPrefix() {
        return confFile.toAbsolutePath().getParent();
    }
}
