package io.ferry.conf.directive;

import io.ferry.conf.Addresses;
import io.ferry.conf.Values;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.resolver.ResolverModule;
import io.ferry.resolver.ResolverSettings;
import io.ferry.upstream.ResolvedName;
import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamServer;
import io.ferry.variable.Template;
import io.ferry.variable.Variables;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** upstream blocks, and the implicit one-name groups of a proxy_pass to a plain address. */
final class UpstreamBuilder {
    private static final Duration DEFAULT_FAIL_TIMEOUT = Duration.ofSeconds(10);
    /** nginx refuses a shared memory zone smaller than 8 pages. */
    private static final long MIN_ZONE = 8 * 4096;

    private UpstreamBuilder() {
    }

    static Map<String, Upstream> build(Scope http, Variables variables) throws ConfException {
        return build(http, variables, false);
    }

    /** {@code stream}: the upstream blocks of stream {}, where every server needs a port (nginx: "no port in upstream"). */
    static Map<String, Upstream> build(Scope http, Variables variables, boolean stream) throws ConfException {
        Map<String, Upstream> groups = new LinkedHashMap<>();
        Map<String, Directive> zones = new LinkedHashMap<>();
        for (Directive d : http.ownAll("upstream")) {
            String name = d.args().get(0);
            if (groups.containsKey(name)) {
                throw Values.error(d, "duplicate upstream \"" + name + "\"");
            }
            groups.put(name, group(d, variables, stream, zones, http));
        }
        for (Map.Entry<String, Directive> zone : zones.entrySet()) {
            if (zone.getValue().args().size() == 1) {
                throw Values.error(zone.getValue(), "zero size shared memory zone \"" + zone.getKey() + "\"");
            }
        }
        return groups;
    }

    private static Upstream group(Directive block, Variables variables, boolean stream, Map<String, Directive> zones,
            Scope outer) throws ConfException {
        Upstream.Balance balance = Upstream.Balance.ROUND_ROBIN;
        Template hashKey = null;
        boolean consistent = false;
        int keepalive = 0;
        Duration keepaliveTimeout = Duration.ofSeconds(60);
        int keepaliveRequests = 1000;
        Duration keepaliveTime = Duration.ofHours(1);
        Directive zone = null;
        Directive resolver = outer.own("resolver");
        Directive resolverTimeout = outer.own("resolver_timeout");
        List<Directive> serverLines = new ArrayList<>();
        for (Directive d : block.block()) {
            switch (d.name()) {
                case "server" -> serverLines.add(d);
                case "least_conn" -> balance = Upstream.Balance.LEAST_CONN;
                case "ip_hash" -> balance = Upstream.Balance.IP_HASH;
                case "hash" -> {
                    balance = Upstream.Balance.HASH;
                    hashKey = ConfigBuilder.template(d, d.args().get(0), variables);
                    if (d.args().size() == 2) {
                        if (!d.args().get(1).equals("consistent")) {
                            throw Values.error(d, "invalid parameter \"" + d.args().get(1) + "\"");
                        }
                        consistent = true;
                    }
                }
                case "random" -> balance = random(d);
                case "zone" -> {
                    zone(d, zones);
                    zone = d;
                }
                case "resolver" -> resolver = d;
                case "resolver_timeout" -> resolverTimeout = d;
                case "keepalive" -> keepalive = Values.positiveInt(d, d.args().get(0));
                case "keepalive_timeout" -> keepaliveTimeout = Values.time(d, d.args().get(0));
                case "keepalive_requests" -> keepaliveRequests = Values.positiveInt(d, d.args().get(0));
                case "keepalive_time" -> keepaliveTime = Values.time(d, d.args().get(0));
                default -> throw new IllegalStateException(d.name());
            }
        }
        if (serverLines.isEmpty()) {
            throw Values.error(block, "no servers are inside upstream");
        }
        List<UpstreamServer> servers = new ArrayList<>();
        List<ResolvedName> resolve = new ArrayList<>();
        for (Directive d : serverLines) {
            servers.addAll(server(d, balance, stream, resolve));
        }
        String name = block.args().get(0);
        ResolverSettings settings = null;
        if (!resolve.isEmpty()) {
            String where = "upstream \"" + name + "\" in " + block.file() + ":" + block.line();
            if (zone == null) {
                throw new ConfException("resolving names at run time requires " + where + " to be in shared memory",
                        null, 0);
            }
            if (resolver == null) {
                throw new ConfException("no resolver defined to resolve names at run time in " + where, null, 0);
            }
            Duration timeout = resolverTimeout == null ? ResolverModule.DEFAULT_TIMEOUT
                    : Values.time(resolverTimeout, resolverTimeout.args().get(0));
            settings = ResolverModule.parse(resolver, timeout);
        }
        return new Upstream(name, List.copyOf(servers), balance, hashKey, consistent, keepalive, keepaliveTimeout,
                keepaliveRequests, keepaliveTime, block.file(), block.line(), List.copyOf(resolve), settings);
    }

    /** random [two [least_conn]]: least_conn is what two compares by, and the only method it takes. */
    private static Upstream.Balance random(Directive d) throws ConfException {
        List<String> args = d.args();
        if (!args.isEmpty() && !args.get(0).equals("two")) {
            throw Values.error(d, "invalid parameter \"" + args.get(0) + "\"");
        }
        if (args.size() == 2 && !args.get(1).equals("least_conn")) {
            throw Values.error(d, "invalid parameter \"" + args.get(1) + "\"");
        }
        return args.isEmpty() ? Upstream.Balance.RANDOM : Upstream.Balance.RANDOM_TWO;
    }

    /**
     * zone NAME [SIZE], checked as nginx checks a shared memory zone: the size is at least 8 pages,
     * groups naming one zone agree on its size, and some group gives it one (kept in {@code zones}).
     */
    private static void zone(Directive d, Map<String, Directive> zones) throws ConfException {
        String name = d.args().get(0);
        if (name.isEmpty()) {
            throw Values.error(d, "invalid zone name \"" + name + "\"");
        }
        Directive sized = d.args().size() == 2 ? d : null;
        if (sized != null) {
            long size;
            try {
                size = Values.size(d, d.args().get(1));
            } catch (ConfException e) {
                throw Values.error(d, "invalid zone size \"" + d.args().get(1) + "\"");
            }
            if (size < MIN_ZONE) {
                throw Values.error(d, "zone \"" + name + "\" is too small");
            }
            Directive declared = zones.get(name);
            if (declared != null && declared.args().size() == 2) {
                long before = Values.size(declared, declared.args().get(1));
                if (before != size) {
                    throw Values.error(d, "the size " + size + " of shared memory zone \"" + name
                            + "\" conflicts with already declared size " + before);
                }
            }
        }
        Directive declared = zones.get(name);
        if (declared == null || declared.args().size() == 1) {
            zones.put(name, d);
        }
    }

    /** The peers a server line names now; a name to resolve at run time goes to {@code resolve} instead. */
    private static List<UpstreamServer> server(Directive d, Upstream.Balance balance, boolean stream,
            List<ResolvedName> resolve) throws ConfException {
        boolean runtime = false;
        String service = null;
        int weight = 1;
        int maxFails = 1;
        Duration failTimeout = DEFAULT_FAIL_TIMEOUT;
        int maxConns = 0;
        boolean backup = false;
        boolean down = false;
        for (String p : d.args().subList(1, d.args().size())) {
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq);
            String value = eq < 0 ? null : p.substring(eq + 1);
            switch (key) {
                case "weight" -> weight = number(d, p, value, 1);
                case "max_fails" -> maxFails = number(d, p, value, 0);
                case "max_conns" -> maxConns = number(d, p, value, 0);
                case "fail_timeout" -> {
                    if (value == null) {
                        throw Values.error(d, "invalid parameter \"" + p + "\"");
                    }
                    failTimeout = Values.time(d, value);
                }
                case "backup" -> {
                    if (value != null) {
                        throw Values.error(d, "invalid parameter \"" + p + "\"");
                    }
                    if (balance != Upstream.Balance.ROUND_ROBIN && balance != Upstream.Balance.LEAST_CONN) {
                        throw Values.error(d, "balancing method does not support parameter \"backup\"");
                    }
                    backup = true;
                }
                case "down" -> {
                    if (value != null) {
                        throw Values.error(d, "invalid parameter \"" + p + "\"");
                    }
                    down = true;
                }
                case "resolve" -> {
                    if (value != null) {
                        throw Values.error(d, "invalid parameter \"" + p + "\"");
                    }
                    runtime = true;
                }
                case "service" -> {
                    if (value == null) {
                        throw Values.error(d, "invalid parameter \"" + p + "\"");
                    }
                    if (value.isEmpty()) {
                        throw Values.error(d, "service is empty");
                    }
                    service = value;
                }
                default -> throw Values.error(d, "invalid parameter \"" + p + "\"");
            }
        }
        String address = d.args().get(0);
        if (address.startsWith("unix:")) {
            return List.of(new UpstreamServer(address, null, weight, maxFails, failTimeout, maxConns, backup, down,
                    unixPath(d, address)));
        }
        if (service != null && !runtime) {
            throw Values.error(d, "service upstream \"" + address + "\" requires \"resolve\" parameter");
        }
        Addresses.HostPort hp = Addresses.parse(d, address, service != null || stream ? 0 : 80, false);
        if (service != null && hp.port() != 0) {
            throw Values.error(d, "service upstream \"" + address + "\" may not have port");
        }
        if (hp.port() == 0 && service == null) {
            throw Values.error(d, "no port in upstream \"" + address + "\"");
        }
        boolean literal = hp.host() != null
                && (NetUtil.isValidIpV4Address(hp.host()) || NetUtil.isValidIpV6Address(hp.host()));
        if (service != null && literal) {
            throw Values.error(d, "service upstream \"" + address + "\" requires domain name");
        }
        if (runtime && !literal) {
            if (hp.host() == null) {
                throw Values.error(d, "no host in \"" + address + "\"");
            }
            resolve.add(new ResolvedName(hp.host(), hp.port(), service, new UpstreamServer(address, null, weight,
                    maxFails, failTimeout, maxConns, backup, down)));
            return List.of();
        }
        List<UpstreamServer> peers = new ArrayList<>();
        for (InetAddress a : resolve(d, hp.host(), address)) {
            peers.add(new UpstreamServer(address, new InetSocketAddress(a, hp.port()), weight, maxFails, failTimeout,
                    maxConns, backup, down));
        }
        return peers;
    }

    /**
     * The group a `*_pass NAME|HOST:PORT` names: an upstream block, or the implicit group of the
     * addresses HOST resolves to (a port is required, as for nginx's stream and memcached).
     */
    static Upstream target(Directive d, Map<String, Upstream> upstreams) throws ConfException {
        String target = d.args().get(0);
        Upstream group = upstreams.get(target);
        if (group != null) {
            return group;
        }
        if (target.indexOf('$') >= 0) {
            throw Values.error(d, "variables in \"" + d.name() + "\" are not supported");
        }
        if (target.startsWith("unix:")) {
            throw Values.error(d, "unix domain sockets in \"" + d.name() + "\" are not supported");
        }
        if (target.contains("://")) {
            throw Values.error(d, "invalid host in upstream \"" + target + "\"");
        }
        Addresses.HostPort hp = Addresses.parse(d, target, 0, false);
        if (hp.port() == 0) {
            throw Values.error(d, "no port in upstream \"" + target + "\"");
        }
        return implicit(d, target, hp.host(), hp.port());
    }

    /** The group behind "proxy_pass http://host:port": every address of the name, default parameters. */
    static Upstream implicit(Directive d, String hostPort, String host, int port) throws ConfException {
        List<UpstreamServer> peers = new ArrayList<>();
        for (InetAddress a : resolve(d, host, hostPort)) {
            peers.add(new UpstreamServer(hostPort, new InetSocketAddress(a, port), 1, 1, DEFAULT_FAIL_TIMEOUT, 0, false, false));
        }
        return new Upstream(hostPort, List.copyOf(peers), Upstream.Balance.ROUND_ROBIN, null, false, 0,
                Duration.ofSeconds(60), 1000, Duration.ofHours(1), d.file(), d.line());
    }

    /** The group behind "fastcgi_pass unix:/path": one peer on that socket. */
    static Upstream implicitUnix(Directive d, String address) throws ConfException {
        UpstreamServer peer = new UpstreamServer(address, null, 1, 1, DEFAULT_FAIL_TIMEOUT, 0, false, false, unixPath(d, address));
        return new Upstream(address, List.of(peer), Upstream.Balance.ROUND_ROBIN, null, false, 0,
                Duration.ofSeconds(60), 1000, Duration.ofHours(1), d.file(), d.line());
    }

    private static String unixPath(Directive d, String address) throws ConfException {
        String path = address.substring("unix:".length());
        if (path.isEmpty()) {
            throw Values.error(d, "no path in the unix domain socket \"" + address + "\"");
        }
        return path;
    }

    private static InetAddress[] resolve(Directive d, String host, String shown) throws ConfException {
        if (host == null) {
            throw Values.error(d, "no host in \"" + shown + "\"");
        }
        try {
            return InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw Values.error(d, "host not found in upstream \"" + shown + "\"");
        }
    }

    private static int number(Directive d, String param, String value, int min) throws ConfException {
        try {
            int n = Integer.parseInt(value);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw Values.error(d, "invalid parameter \"" + param + "\"");
    }
}
