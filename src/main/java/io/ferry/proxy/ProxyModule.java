package io.ferry.proxy;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LIMIT_EXCEPT;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.Addresses;
import io.ferry.conf.ConfException;
import io.ferry.conf.Context;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.gateway.BufferSettings;
import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.model.HeaderNames;
import io.ferry.model.Location;
import io.ferry.model.LocationModifier;
import io.ferry.model.LocationSettings;
import io.ferry.upstream.NextUpstream;
import io.ferry.model.Slot;
import io.ferry.upstream.Upstream;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.module.Services;
import io.ferry.variable.RequestScope;
import io.ferry.variable.Template;
import io.ferry.variable.Variable;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** nginx's proxy module: proxy_pass and its proxy_* settings, $proxy_host and $proxy_port. */
public final class ProxyModule implements Module {
    /** proxy_next_upstream's keywords: memcached's invalid_response and not_found are not among them. */
    private static final Set<NextUpstream.Condition> CONDITIONS = EnumSet.complementOf(
            EnumSet.of(NextUpstream.Condition.INVALID_RESPONSE, NextUpstream.Condition.NOT_FOUND));
    /** A location's proxy settings: null where it has no proxy_pass (content handlers are not inherited). */
    public static final Slot<ProxySettings> SETTINGS = new Slot<>();
    /** A request's proxy_pass URL where it has variables: what $proxy_host and $proxy_port then print. */
    static final Slot<ProxyTarget> EVALUATED = new Slot<>();

    private static final Set<Context> HSL = EnumSet.of(HTTP, SERVER, LOCATION);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Set<String> DEFAULT_HIDDEN = Set.of("server", "date", "x-pad", "x-accel-expires",
            "x-accel-redirect", "x-accel-limit-rate", "x-accel-buffering", "x-accel-charset");

    @Override
    public String name() {
        return "http_proxy_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.one("proxy_pass", EnumSet.of(LOCATION, IF, LIMIT_EXCEPT));
        rows.one("proxy_http_version", HSL);
        rows.add("proxy_set_header", HSL, 2, 2, null, true);
        rows.one("proxy_connect_timeout", HSL);
        rows.one("proxy_read_timeout", HSL);
        rows.one("proxy_send_timeout", HSL);
        rows.one("proxy_websocket", HSL);
        rows.add("proxy_next_upstream", HSL, 1, DirectiveRows.ANY, null, false);
        rows.one("proxy_next_upstream_tries", HSL);
        rows.one("proxy_next_upstream_timeout", HSL);
        rows.add("proxy_hide_header", HSL, 1, 1, null, true);
        rows.add("proxy_pass_header", HSL, 1, 1, null, true);
        rows.one("proxy_intercept_errors", HSL);
        rows.one("proxy_buffer_size", HSL);
        rows.one("proxy_method", HSL);
        rows.one("proxy_pass_request_headers", HSL);
        rows.one("proxy_pass_request_body", HSL);
        rows.one("proxy_set_body", HSL);
        rows.one("proxy_request_buffering", HSL);
        rows.add("proxy_redirect", HSL, 1, 2, null, true);
        BufferSettings.directives(rows, "proxy", HSL);
        ProxySsl.directives(rows, HSL);
        rows.add("proxy_cookie_domain", HSL, 1, 2, null, true);
        rows.add("proxy_cookie_path", HSL, 1, 2, null, true);
        rows.add("proxy_cookie_flags", HSL, 1, 4, null, true);
        rows.one("proxy_limit_rate", HSL);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    /** Values written at any level are checked there, whether or not a proxy_pass below uses them. */
    @Override
    public Object settings(Level level) throws ConfException {
        for (Directive d : level.ownAll("proxy_set_header")) {
            level.template(d, d.args().get(1));
        }
        boolean websocket = level.flag("proxy_websocket", true);
        boolean intercept = level.flag("proxy_intercept_errors", false);
        int bufferSize = bufferSize(level);
        BufferSettings buffering = BufferSettings.of(level, "proxy", bufferSize);
        Template method = template(level, "proxy_method");
        boolean passHeaders = level.flag("proxy_pass_request_headers", true);
        boolean passBody = level.flag("proxy_pass_request_body", true);
        Template body = template(level, "proxy_set_body");
        ProxyRedirect.check(level);
        ProxyCookies cookies = ProxyCookies.of(level);
        long limitRate = size(level, "proxy_limit_rate", 0);
        Directive pass = level.pass("proxy_pass");
        if (pass == null) {
            return null;
        }
        ProxyTarget target = target(level, pass);
        Directive versionD = level.inherited("proxy_http_version");
        String version = versionD == null ? "1.0" : versionD.args().get(0);
        if (!version.equals("1.0") && !version.equals("1.1")) {
            throw Values.invalid(versionD, version);
        }
        return new ProxySettings(target, version, headers(level, pass),
                level.time("proxy_connect_timeout", DEFAULT_TIMEOUT), level.time("proxy_read_timeout", DEFAULT_TIMEOUT),
                level.time("proxy_send_timeout", DEFAULT_TIMEOUT),
                level.nextUpstream("proxy", CONDITIONS), websocket, hidden(level),
                intercept, bufferSize, method, passHeaders, passBody, body, ProxyRedirect.rules(level, pass, target),
                buffering, level.flag("proxy_request_buffering", true),
                target.https() ? ProxySsl.parse(level) : null, cookies, limitRate);
    }

    /** An inherited value with variables, compiled where it is written. */
    private static Template template(Level level, String name) throws ConfException {
        Directive d = level.inherited(name);
        return d == null ? null : level.template(d, d.args().get(0));
    }

    @Override
    public Map<String, Variable> variables() {
        return Map.of("proxy_host", scope -> target(scope, ProxyTarget::hostHeader),
                "proxy_port", scope -> target(scope, t -> t.port() == 0 ? "" : Integer.toString(t.port())));
    }

    @Override
    public ContentPhaseHandler contentHandler(Services services) {
        return new ProxyHandler(services.upstreams(), services.tunnels());
    }

    /** Empty in an http location without proxy_pass; not found outside http (a stream session). */
    private static String target(RequestScope scope, Function<ProxyTarget, String> part) {
        LocationSettings settings = scope.settings();
        if (settings == null) {
            return null;
        }
        ProxySettings proxy = settings.module(SETTINGS);
        if (proxy == null) {
            return "";
        }
        ProxyTarget evaluated = scope.moduleContext(EVALUATED);
        return part.apply(evaluated != null ? evaluated : proxy.target());
    }

    private static long size(Level level, String name, long otherwise) throws ConfException {
        Directive d = level.inherited(name);
        return d == null ? otherwise : Values.size(d, d.args().get(0));
    }

    /** nginx's default page-sized buffer for the upstream's response head. */
    private static int bufferSize(Level level) throws ConfException {
        Directive d = level.inherited("proxy_buffer_size");
        return d == null ? 8192 : (int) Math.min(Integer.MAX_VALUE, Values.size(d, d.args().get(0)));
    }

    /** Host $proxy_host and Connection close unless proxy_set_header names them. */
    private static List<HeaderSetting> headers(Level level, Directive pass) throws ConfException {
        Map<String, HeaderSetting> headers = new LinkedHashMap<>();
        for (Directive d : level.inheritedAll("proxy_set_header")) {
            String name = d.args().get(0);
            headers.put(name.toLowerCase(Locale.ROOT), new HeaderSetting(name, level.template(d, d.args().get(1))));
        }
        headers.putIfAbsent("host", new HeaderSetting("Host", level.template(pass, "$proxy_host")));
        headers.putIfAbsent("connection", new HeaderSetting("Connection", Template.literal("close")));
        return List.copyOf(headers.values());
    }

    private static Set<String> hidden(Level level) {
        Set<String> hidden = new HashSet<>(DEFAULT_HIDDEN);
        for (Directive d : level.inheritedAll("proxy_hide_header")) {
            hidden.add(d.args().get(0).toLowerCase(Locale.ROOT));
        }
        for (Directive d : level.inheritedAll("proxy_pass_header")) {
            hidden.remove(d.args().get(0).toLowerCase(Locale.ROOT));
        }
        return HeaderNames.caseless(hidden);
    }

    private static ProxyTarget target(Level level, Directive d) throws ConfException {
        String url = d.args().get(0);
        if (url.indexOf('$') >= 0) {
            Template evaluated = level.template(d, url);
            if (!evaluated.isConstant()) {
                return new ProxyTarget(url.regionMatches(true, 0, "https://", 0, 8), null, "", 0, null, null,
                        evaluated, level.upstreamNames());
            }
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
        // unix:/path[:/uri]: the socket's path ends at the first colon after it, as in nginx's URL parser
        boolean unix = rest.regionMatches(true, 0, "unix:", 0, 5);
        int end = unix ? rest.indexOf(':', 5) : rest.indexOf('/');
        String hostPort = end < 0 ? rest : rest.substring(0, end);
        String uri = end < 0 || (unix && end == rest.length() - 1) ? null : rest.substring(unix ? end + 1 : end);
        Location location = level.location();
        // a proxy_pass inherited into an if block keeps its location's URI rules (nginx's plcf->location)
        if (uri != null && location != null && level.own("proxy_pass") == d
                && (location.modifier().isRegex() || location.modifier() == LocationModifier.NAMED)) {
            throw Values.error(d, "\"proxy_pass\" cannot have URI part in location given by regular expression, "
                    + "or inside named location, or inside \"if\" statement, or inside \"limit_except\" block");
        }
        String prefixPath = location == null ? "" : location.path();
        if (unix) {
            Upstream socket = level.upstream(new Directive(d.name(), List.of(hostPort), null, d.file(), d.line()), true);
            return new ProxyTarget(https, socket, "localhost", 0, uri, prefixPath);
        }
        if (hostPort.isEmpty()) {
            throw Values.error(d, "no host in \"" + url + "\" of the \"proxy_pass\" directive");
        }
        int defaultPort = https ? 443 : 80;
        Upstream group = level.group(hostPort);
        if (group != null) {
            return new ProxyTarget(https, group, hostPort, defaultPort, uri, prefixPath);
        }
        Addresses.HostPort hp = Addresses.parse(d, hostPort, defaultPort, false);
        String hostHeader = hostPort.indexOf(':') >= 0 && hp.port() != defaultPort ? hostPort : hostPort.replaceFirst(":\\d+$", "");
        return new ProxyTarget(https, level.implicit(d, hostPort, hp.host(), hp.port()), hostHeader, hp.port(),
                uri, prefixPath);
    }
}
