package io.ferry.conf.directive;

import io.ferry.conf.Values;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.module.Modules;
import io.ferry.model.ClientTimeouts;
import io.ferry.model.LimitExcept;
import io.ferry.model.Location;
import io.ferry.model.LocationModifier;
import io.ferry.model.LocationSettings;
import io.ferry.model.ModuleSettings;
import io.ferry.model.RedirectStyle;
import io.ferry.upstream.Upstream;
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
    static final List<String> FLAGS = List.of("sendfile", "tcp_nopush", "tcp_nodelay",
            "ssl_self_signed", "ssl", "ssl_session_tickets",
            "ssl_prefer_server_ciphers", "ssl_reject_handshake");
    /** The directives that make a location ending in "/" redirect its slash-less path to it (nginx's auto_redirect). */
    private static final List<String> PASSING = List.of("proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass",
            "memcached_pass", "grpc_pass");

    private final Path prefix;
    private final Path confPrefix;
    private final Variables variables;
    private final Map<String, String> httpTypes;
    private final Map<String, Upstream> upstreams;
    private final ModuleSettings httpModules;
    private final RedirectsBuilder redirects;
    private final FilesBuilder files = new FilesBuilder();

    LocationBuilder(Path prefix, Path confPrefix, Variables variables, Map<String, String> httpTypes, Map<String, Upstream> upstreams,
                    ModuleSettings httpModules) {
        this.httpModules = httpModules;
        this.redirects = new RedirectsBuilder(variables);
        this.prefix = prefix;
        this.confPrefix = confPrefix;
        this.variables = variables;
        this.httpTypes = httpTypes;
        this.upstreams = upstreams;
    }

    List<Location> locations(Scope parent) throws ConfException {
        return locations(parent, null);
    }

    LocationSettings serverSettings(Scope server) throws ConfException {
        return settings(server, null);
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
        Location self = new Location(modifier, path, regex, List.of(), null, false, null, d.file(), d.line());
        LocationSettings settings = settings(scope, self);
        boolean slashRedirect = !modifier.isRegex() && modifier != LocationModifier.NAMED && path.endsWith("/")
                && PASSING.stream().anyMatch(name -> scope.own(name) != null);
        return new Location(modifier, path, regex, locations(scope, self), settings, slashRedirect,
                limitExcept(scope, self, settings), d.file(), d.line());
    }

    /**
     * limit_except METHOD ...: the block's settings on top of the location's. As in nginx its
     * proxy_pass is a named location's (no URI part), and a location's content handler carries into
     * the block unless the block writes its own.
     */
    private LimitExcept limitExcept(Scope location, Location self, LocationSettings settings) throws ConfException {
        Directive d = location.own("limit_except");
        if (d == null) {
            return null;
        }
        Set<String> methods = new HashSet<>();
        for (String arg : d.args()) {
            String method = arg.toUpperCase(Locale.ROOT);
            if (!LimitExcept.KNOWN.contains(method)) {
                throw Values.error(d, "invalid method \"" + arg + "\"");
            }
            methods.add(method);
            if (method.equals("GET")) {
                methods.add("HEAD");
            }
        }
        LocationSettings block = settings(new Scope(location, d.block()), ifLocation(self));
        return new LimitExcept(methods, new LocationSettings(block.root(), block.index(), block.defaultType(),
                block.types(), block.clientMaxBodySize(), block.keepaliveTimeout(), block.satisfyAny(),
                block.documentRoot(), block.errorPages(), block.tryFiles(), settings.internal(), block.redirectStyle(),
                block.logNotFound(), block.clientTimeouts(), block.modules().orElse(settings.modules())));
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
    private LocationSettings settings(Scope s, Location location) throws ConfException {
        Directive rootD = s.inherited("root");
        Path root = prefix.resolve(rootD == null ? "html" : rootD.args().get(0)).normalize();
        List<Template> index = new ArrayList<>();
        for (Directive d : s.inheritedAll("index")) {
            for (String name : d.args()) {
                index.add(ConfigBuilder.template(d, name, variables));
            }
        }
        if (index.isEmpty()) {
            index.add(Template.literal("index.html"));
        }
        Directive defaultTypeD = s.inherited("default_type");
        List<Directive> typesD = s.inheritedAll("types");
        Map<String, String> types = typesD.isEmpty() ? httpTypes : parseTypes(typesD);
        Directive bodyD = s.inherited("client_max_body_size");
        long maxBody = bodyD == null ? 1024 * 1024 : Values.size(bodyD, bodyD.args().get(0));
        Directive kaD = s.inherited("keepalive_timeout");
        Duration keepalive = kaD == null ? Duration.ofSeconds(75) : Values.time(kaD, kaD.args().get(0));
        for (String flag : FLAGS) {
            if (s.own(flag) != null) {
                Values.flag(s.own(flag));
            }
        }
        ConfigBuilder.hashSizes(s);
        return new LocationSettings(root, List.copyOf(index),
                defaultTypeD == null ? "text/plain" : defaultTypeD.args().get(0), types,
                maxBody, keepalive, satisfyAny(s),
                files.documentRoot(s, location, prefix, variables),
                redirects.errorPages(s), redirects.tryFiles(s), s.own("internal") != null,
                redirectStyle(s), flag(s, "log_not_found", true),
                clientTimeouts(s), Modules.settings(new ModuleLevel(s, variables, prefix, confPrefix, location, upstreams, httpModules,
                        location == null ? null : inner -> settings(inner, ifLocation(location)))));
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

    private static RedirectStyle redirectStyle(Scope s) throws ConfException {
        RedirectStyle d = RedirectStyle.DEFAULT;
        return new RedirectStyle(flag(s, "absolute_redirect", d.absolute()),
                flag(s, "server_name_in_redirect", d.serverName()), flag(s, "port_in_redirect", d.port()));
    }

    private static boolean flag(Scope s, String name, boolean otherwise) throws ConfException {
        Directive d = s.inherited(name);
        return d == null ? otherwise : Values.flag(d);
    }

    private static ClientTimeouts clientTimeouts(Scope s) throws ConfException {
        Directive body = s.inherited("client_body_timeout");
        Directive send = s.inherited("send_timeout");
        Directive requests = s.inherited("keepalive_requests");
        Directive time = s.inherited("keepalive_time");
        ClientTimeouts d = ClientTimeouts.DEFAULT;
        return new ClientTimeouts(body == null ? d.body() : Values.time(body, body.args().get(0)),
                send == null ? d.send() : Values.time(send, send.args().get(0)),
                requests == null ? d.keepaliveRequests() : Values.positiveInt(requests, requests.args().get(0)),
                time == null ? d.keepaliveTime() : Values.time(time, time.args().get(0)), keepaliveDisable(s),
                keepaliveHeader(s.inherited("keepalive_timeout")));
    }

    private static Duration keepaliveHeader(Directive d) throws ConfException {
        return d == null || d.args().size() < 2 ? null : Values.time(d, d.args().get(1));
    }

    /**
     * keepalive_disable is nginx's bit mask: values are case-insensitive, every line at a level adds
     * to it, and a level that writes none inherits the enclosing one's.
     */
    private static Set<ClientTimeouts.KeepaliveDisable> keepaliveDisable(Scope s) throws ConfException {
        List<Directive> written = s.inheritedAll("keepalive_disable");
        if (written.isEmpty()) {
            return ClientTimeouts.DEFAULT.keepaliveDisable();
        }
        Set<ClientTimeouts.KeepaliveDisable> set = EnumSet.noneOf(ClientTimeouts.KeepaliveDisable.class);
        for (Directive d : written) {
            for (String arg : d.args()) {
                switch (arg.toLowerCase(Locale.ROOT)) {
                    case "none" -> { }
                    case "msie6" -> set.add(ClientTimeouts.KeepaliveDisable.MSIE6);
                    case "safari" -> set.add(ClientTimeouts.KeepaliveDisable.SAFARI);
                    default -> throw Values.invalid(d, arg);
                }
            }
        }
        return Set.copyOf(set);
    }

    /**
     * An `if` inside a location serves with the location's prefix, but like a named location its
     * proxy_pass may not carry a URI part (nginx's rule).
     */
    private static Location ifLocation(Location enclosing) {
        return new Location(LocationModifier.NAMED, enclosing.path(), null, List.of(), null, false, null,
                enclosing.file(), enclosing.line());
    }

    /** Every types block of one level, merged in order as nginx does ("include mime.types" and a block of one's own). */
    static Map<String, String> parseTypes(List<Directive> blocks) {
        Map<String, String> map = new HashMap<>();
        for (Directive types : blocks) {
            for (Directive entry : types.block()) {
                for (String ext : entry.args()) {
                    map.put(ext.toLowerCase(Locale.ROOT), entry.name());
                }
            }
        }
        return Map.copyOf(map);
    }
}
