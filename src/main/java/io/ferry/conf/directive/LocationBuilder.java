package io.ferry.conf.directive;

import io.ferry.conf.Values;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.model.Builtin;
import io.ferry.module.Modules;
import io.ferry.model.ClientTimeouts;
import io.ferry.model.HeaderNames;
import io.ferry.model.HeaderSetting;
import io.ferry.model.Location;
import io.ferry.model.LocationModifier;
import io.ferry.model.LocationSettings;
import io.ferry.model.NextUpstream;
import io.ferry.model.Upstream;
import io.ferry.model.ProxySettings;
import io.ferry.model.ProxyTarget;
import io.ferry.variable.Regex;
import io.ferry.variable.Template;
import io.ferry.variable.Variables;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/** Builds location trees and the merged settings of each level (http → server → location → nested). */
final class LocationBuilder {
    private static final Duration DEFAULT_PROXY_TIMEOUT = Duration.ofSeconds(60);
    static final List<String> FLAGS = List.of("sendfile", "tcp_nopush", "tcp_nodelay", "server_tokens", "proxy_websocket",
            "rewrite_log", "uninitialized_variable_warn", "proxy_intercept_errors",
            "ssl_self_signed");

    private final Path prefix;
    private final Variables variables;
    private final Map<String, String> httpTypes;
    private final Map<String, Upstream> upstreams;
    private final LogBuilder logs;
    private final RewriteBuilder rewrites;
    private final FilesBuilder files = new FilesBuilder();

    LocationBuilder(Path prefix, Variables variables, Map<String, String> httpTypes, Map<String, Upstream> upstreams,
                    LogBuilder logs) {
        this.logs = logs;
        this.rewrites = new RewriteBuilder(variables);
        this.prefix = prefix;
        this.variables = variables;
        this.httpTypes = httpTypes;
        this.upstreams = upstreams;
    }

    List<Location> locations(Scope parent) throws ConfException {
        return locations(parent, null);
    }

    LocationSettings serverSettings(Scope server) throws ConfException {
        return settings(server, null, null);
    }

    private List<Location> locations(Scope parent, Location enclosing) throws ConfException {
        List<Location> result = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Directive d : parent.ownAll("location")) {
            Location loc = location(parent, d, enclosing);
            // "/a" and "^~ /a" are the same prefix to nginx; "=" and regexes have their own namespaces.
            String key = switch (loc.modifier()) {
                case PREFIX, PREFERRED_PREFIX -> "prefix " + loc.path();
                default -> loc.modifier().symbol() + " " + loc.path();
            };
            if (!seen.add(key)) {
                throw Values.error(d, "duplicate location \"" + loc.path() + "\"");
            }
            result.add(loc);
        }
        return List.copyOf(result);
    }

    private Location location(Scope parent, Directive d, Location enclosing) throws ConfException {
        LocationModifier modifier = LocationModifier.PREFIX;
        String path = d.args().get(0);
        if (d.args().size() == 2) {
            modifier = switch (d.args().get(0)) {
                case "=" -> LocationModifier.EXACT;
                case "^~" -> LocationModifier.PREFERRED_PREFIX;
                case "~" -> LocationModifier.REGEX;
                case "~*" -> LocationModifier.REGEX_CASELESS;
                default -> throw Values.error(d, "invalid location modifier \"" + d.args().get(0) + "\"");
            };
            path = d.args().get(1);
        } else if (path.startsWith("@")) {
            modifier = LocationModifier.NAMED;
        } else {
            // nginx also takes the modifier glued to the path: "=/", "^~/images/", "~\.php$", "~*\.gif$".
            for (LocationModifier m : new LocationModifier[] {LocationModifier.PREFERRED_PREFIX,
                    LocationModifier.REGEX_CASELESS, LocationModifier.REGEX, LocationModifier.EXACT}) {
                if (path.startsWith(m.symbol()) && path.length() > m.symbol().length()) {
                    modifier = m;
                    path = path.substring(m.symbol().length());
                    break;
                }
            }
        }
        Regex regex = null;
        if (modifier.isRegex()) {
            try {
                regex = Regex.compile(path, modifier == LocationModifier.REGEX_CASELESS);
            } catch (PatternSyntaxException e) {
                throw Values.error(d, "invalid regex \"" + path + "\": " + e.getDescription());
            }
        }
        checkNesting(d, modifier, path, enclosing);
        Scope scope = new Scope(parent, d.block());
        Location self = new Location(modifier, path, regex, List.of(), null, d.file(), d.line());
        LocationSettings settings = settings(scope, self, d);
        return new Location(modifier, path, regex, locations(scope, self), settings, d.file(), d.line());
    }

    private static void checkNesting(Directive d, LocationModifier m, String path, Location enclosing) throws ConfException {
        if (enclosing == null) {
            return;
        }
        if (enclosing.modifier() == LocationModifier.EXACT || enclosing.modifier() == LocationModifier.NAMED) {
            throw Values.error(d, "location \"" + path + "\" cannot be inside the "
                    + (enclosing.modifier() == LocationModifier.EXACT ? "exact" : "named") + " location \"" + enclosing.path() + "\"");
        }
        if (m == LocationModifier.NAMED) {
            throw Values.error(d, "named location \"" + path + "\" can be on the server level only");
        }
        if (!m.isRegex() && !path.startsWith(enclosing.path())) {
            throw Values.error(d, "location \"" + path + "\" is outside location \"" + enclosing.path() + "\"");
        }
    }

    /** {@code location} is null for the server level; content handlers are never inherited, as in nginx. */
    private LocationSettings settings(Scope s, Location location, Directive block) throws ConfException {
        Directive rootD = s.inherited("root");
        Path root = prefix.resolve(rootD == null ? "html" : rootD.args().get(0)).normalize();
        List<String> index = new ArrayList<>();
        for (Directive d : s.inheritedAll("index")) {
            index.addAll(d.args());
        }
        if (index.isEmpty()) {
            index.add("index.html");
        }
        Directive defaultTypeD = s.inherited("default_type");
        Directive typesD = s.inherited("types");
        Map<String, String> types = typesD == null ? httpTypes : parseTypes(typesD);
        Directive bodyD = s.inherited("client_max_body_size");
        long maxBody = bodyD == null ? 1024 * 1024 : Values.size(bodyD, bodyD.args().get(0));
        Directive kaD = s.inherited("keepalive_timeout");
        Duration keepalive = kaD == null ? Duration.ofSeconds(75) : Values.time(kaD, kaD.args().get(0));
        for (String flag : FLAGS) {
            if (s.own(flag) != null) {
                Values.flag(s.own(flag));
            }
        }
        for (Directive d : s.ownAll("proxy_set_header")) {
            ConfigBuilder.template(d, d.args().get(1), variables);
        }
        return new LocationSettings(root, List.copyOf(index),
                defaultTypeD == null ? "text/plain" : defaultTypeD.args().get(0), types,
                proxy(s, location), maxBody, keepalive, logs.accessLogs(s), satisfyAny(s), builtin(s),
                MemcachedBuilder.settings(s, upstreams, variables), files.documentRoot(s, location, prefix, variables),
                FastCgiBuilder.settings(s, variables, upstreams),
                rewrites.ops(s, s.written(), block == null ? null : (inner, ifBlock) -> settings(inner, ifLocation(location), ifBlock)),
                rewrites.errorPages(s), rewrites.tryFiles(s), s.own("internal") != null,
                clientTimeouts(s), proxyBufferSize(s), Modules.settings(new ModuleLevel(s, variables, prefix, location, upstreams)));
    }

    /** satisfy all|any: how the access phase combines the modules' checks. */
    private static boolean satisfyAny(Scope s) throws ConfException {
        Directive d = s.inherited("satisfy");
        if (d == null || d.args().get(0).equals("all")) {
            return false;
        }
        if (d.args().get(0).equals("any")) {
            return true;
        }
        throw Values.invalid(d, d.args().get(0));
    }

    private static ClientTimeouts clientTimeouts(Scope s) throws ConfException {
        Directive body = s.inherited("client_body_timeout");
        Directive send = s.inherited("send_timeout");
        Directive requests = s.inherited("keepalive_requests");
        ClientTimeouts d = ClientTimeouts.DEFAULT;
        return new ClientTimeouts(body == null ? d.body() : Values.time(body, body.args().get(0)),
                send == null ? d.send() : Values.time(send, send.args().get(0)),
                requests == null ? d.keepaliveRequests() : Values.positiveInt(requests, requests.args().get(0)));
    }

    /** proxy_buffer_size bounds the upstream's response header block (nginx: one memory page, 4k or 8k). */
    private static int proxyBufferSize(Scope s) throws ConfException {
        Directive d = s.inherited("proxy_buffer_size");
        return d == null ? 8192 : (int) Math.min(Integer.MAX_VALUE, Values.size(d, d.args().get(0)));
    }

    /**
     * An `if` inside a location serves with the location's prefix, but like a named location its
     * proxy_pass may not carry a URI part (nginx's rule).
     */
    private static Location ifLocation(Location enclosing) {
        return new Location(LocationModifier.NAMED, enclosing.path(), null, List.of(), null, enclosing.file(), enclosing.line());
    }

    private static Builtin builtin(Scope s) {
        return s.own("stub_status") != null ? Builtin.STUB_STATUS : s.own("metrics") != null ? Builtin.METRICS : null;
    }

    private ProxySettings proxy(Scope s, Location location) throws ConfException {
        Directive pass = s.own("proxy_pass");
        if (pass == null) {
            return null;
        }
        ProxyTarget target = proxyTarget(pass, location);
        Directive versionD = s.inherited("proxy_http_version");
        String version = versionD == null ? "1.0" : versionD.args().get(0);
        if (!version.equals("1.0") && !version.equals("1.1")) {
            throw Values.invalid(versionD, version);
        }
        Map<String, HeaderSetting> headers = new java.util.LinkedHashMap<>();
        for (Directive d : s.inheritedAll("proxy_set_header")) {
            String name = d.args().get(0);
            headers.put(name.toLowerCase(Locale.ROOT), new HeaderSetting(name, ConfigBuilder.template(d, d.args().get(1), variables)));
        }
        headers.putIfAbsent("host", new HeaderSetting("Host", ConfigBuilder.template(pass, "$proxy_host", variables)));
        headers.putIfAbsent("connection", new HeaderSetting("Connection", Template.literal("close")));
        Directive ws = s.inherited("proxy_websocket");
        Set<String> hidden = new HashSet<>(Set.of("server", "date", "x-pad", "x-accel-expires", "x-accel-redirect",
                "x-accel-limit-rate", "x-accel-buffering", "x-accel-charset"));
        for (Directive d : s.inheritedAll("proxy_hide_header")) {
            hidden.add(d.args().get(0).toLowerCase(Locale.ROOT));
        }
        for (Directive d : s.inheritedAll("proxy_pass_header")) {
            hidden.remove(d.args().get(0).toLowerCase(Locale.ROOT));
        }
        Directive intercept = s.inherited("proxy_intercept_errors");
        return new ProxySettings(target, version, List.copyOf(headers.values()),
                timeout(s, "proxy_connect_timeout"), timeout(s, "proxy_read_timeout"), timeout(s, "proxy_send_timeout"),
                nextUpstream(s), ws == null || Values.flag(ws), HeaderNames.caseless(hidden), intercept != null && Values.flag(intercept));
    }

    private static NextUpstream nextUpstream(Scope s) throws ConfException {
        Set<NextUpstream.Condition> conditions = EnumSet.of(NextUpstream.Condition.ERROR, NextUpstream.Condition.TIMEOUT);
        Directive d = s.inherited("proxy_next_upstream");
        if (d != null) {
            conditions = Values.keywords(d, NextUpstream.Condition.class, EnumSet.allOf(NextUpstream.Condition.class));
        }
        Directive tries = s.inherited("proxy_next_upstream_tries");
        int n = tries == null || tries.args().get(0).equals("0") ? 0 : Values.positiveInt(tries, tries.args().get(0));
        Directive timeout = s.inherited("proxy_next_upstream_timeout");
        return new NextUpstream(Set.copyOf(conditions), n,
                timeout == null ? Duration.ZERO : Values.time(timeout, timeout.args().get(0)));
    }

    private static Duration timeout(Scope s, String name) throws ConfException {
        Directive d = s.inherited(name);
        return d == null ? DEFAULT_PROXY_TIMEOUT : Values.time(d, d.args().get(0));
    }

    private ProxyTarget proxyTarget(Directive d, Location location) throws ConfException {
        String url = d.args().get(0);
        if (url.indexOf('$') >= 0) {
            throw Values.error(d, "variables in \"proxy_pass\" are not supported");
        }
        boolean https;
        String rest;
        if (url.regionMatches(true, 0, "http://", 0, 7)) {
            https = false;
            rest = url.substring(7);
        } else if (url.regionMatches(true, 0, "https://", 0, 8)) {
            https = true;
            rest = url.substring(8);
        } else {
            throw Values.error(d, "invalid URL prefix in \"" + url + "\"");
        }
        if (rest.startsWith("unix:")) {
            throw Values.error(d, "unix domain sockets in \"proxy_pass\" are not supported");
        }
        int slash = rest.indexOf('/');
        String hostPort = slash < 0 ? rest : rest.substring(0, slash);
        String uri = slash < 0 ? null : rest.substring(slash);
        if (uri != null && location != null
                && (location.modifier().isRegex() || location.modifier() == LocationModifier.NAMED)) {
            throw Values.error(d, "\"proxy_pass\" cannot have URI part in location given by regular expression, "
                    + "or inside named location, or inside \"if\" statement, or inside \"limit_except\" block");
        }
        if (hostPort.isEmpty()) {
            throw Values.error(d, "no host in \"" + url + "\" of the \"proxy_pass\" directive");
        }
        String prefixPath = location == null ? "" : location.path();
        Upstream group = upstreams.get(hostPort);
        if (group != null) {
            return new ProxyTarget(https, group, hostPort, https ? 443 : 80, uri, prefixPath);
        }
        Addresses.HostPort hp = Addresses.parse(d, hostPort, https ? 443 : 80, false);
        boolean defaultPort = hp.port() == (https ? 443 : 80);
        String hostHeader = hostPort.indexOf(':') >= 0 && !defaultPort ? hostPort : hostPort.replaceFirst(":\\d+$", "");
        return new ProxyTarget(https, UpstreamBuilder.implicit(d, hostPort, hp.host(), hp.port()), hostHeader, hp.port(),
                uri, prefixPath);
    }

    static Map<String, String> parseTypes(Directive types) {
        Map<String, String> map = new HashMap<>();
        for (Directive entry : types.block()) {
            for (String ext : entry.args()) {
                map.put(ext.toLowerCase(Locale.ROOT), entry.name());
            }
        }
        return Map.copyOf(map);
    }
}
