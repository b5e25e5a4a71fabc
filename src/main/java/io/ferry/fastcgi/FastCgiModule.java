package io.ferry.fastcgi;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.cache.HttpCache;
import io.ferry.conf.ConfException;
import io.ferry.conf.Context;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.gateway.BufferSettings;
import io.ferry.gateway.CgiRequest;
import io.ferry.gateway.GatewayModule;
import io.ferry.http.Exchange;
import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.module.Services;
import io.ferry.variable.Regex;
import io.ferry.variable.Template;
import io.ferry.variable.Variable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * nginx's fastcgi module: fastcgi_pass and its fastcgi_* directives, merged as nginx does (settings
 * only where fastcgi_pass is written), $fastcgi_script_name and $fastcgi_path_info.
 */
public final class FastCgiModule implements Module {
    public static final Slot<FastCgiSettings> SETTINGS = new Slot<>();

    private static final Set<Context> HSL = EnumSet.of(HTTP, SERVER, LOCATION);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> FLAGS = List.of("fastcgi_keep_conn", "fastcgi_intercept_errors",
            "fastcgi_request_buffering", "fastcgi_pass_request_body");
    private static final List<String> TIMEOUTS = List.of("fastcgi_connect_timeout", "fastcgi_read_timeout",
            "fastcgi_send_timeout");

    @Override
    public String name() {
        return "http_fastcgi_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.one("fastcgi_pass", EnumSet.of(LOCATION, IF));
        rows.add("fastcgi_param", HSL, 2, 3, null, true);
        rows.add("fastcgi_catch_stderr", HSL, 1, 1, null, true);
        rows.one("fastcgi_index", HSL);
        rows.one("fastcgi_split_path_info", EnumSet.of(LOCATION));
        for (String name : new String[] {"fastcgi_keep_conn", "fastcgi_intercept_errors", "fastcgi_connect_timeout",
                "fastcgi_read_timeout", "fastcgi_send_timeout", "fastcgi_next_upstream_tries", "fastcgi_next_upstream_timeout",
                "fastcgi_request_buffering", "fastcgi_buffer_size", "fastcgi_pass_request_body"}) {
            rows.one(name, HSL);
        }
        BufferSettings.directives(rows, "fastcgi", HSL);
        rows.add("fastcgi_hide_header", HSL, 1, 1, null, true);
        rows.add("fastcgi_pass_header", HSL, 1, 1, null, true);
        rows.add("fastcgi_next_upstream", HSL, 1, DirectiveRows.ANY, null, false);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        checkOwn(level);
        Directive bufferSizeD = level.inherited("fastcgi_buffer_size");
        BufferSettings buffering = BufferSettings.of(level, "fastcgi",
                bufferSizeD == null ? 8192 : Values.size(bufferSizeD, bufferSizeD.args().get(0)));
        Directive pass = level.pass("fastcgi_pass");
        if (pass == null) {
            return null;
        }
        if (level.own("proxy_pass") != null) {
            throw Values.error(pass, "\"fastcgi_pass\" directive is duplicate, \"proxy_pass\" is set in this location");
        }
        List<CgiRequest.Param> params = new ArrayList<>();
        for (Directive d : level.inheritedAll("fastcgi_param")) {
            params.add(new CgiRequest.Param(d.args().get(0), level.template(d, d.args().get(1)), d.args().size() == 3));
        }
        Directive indexD = level.inherited("fastcgi_index");
        Directive splitD = level.inherited("fastcgi_split_path_info");
        String address = pass.args().get(0);
        Template variables = address.indexOf('$') >= 0 ? level.template(pass, address) : null;
        boolean dynamic = variables != null && !variables.isConstant();
        return new FastCgiSettings(dynamic ? null : level.upstream(pass, true), address, List.copyOf(params),
                indexD == null ? null : indexD.args().get(0), splitD == null ? null : split(splitD),
                level.flag("fastcgi_keep_conn", false),
                level.time("fastcgi_connect_timeout", DEFAULT_TIMEOUT), level.time("fastcgi_read_timeout", DEFAULT_TIMEOUT),
                level.time("fastcgi_send_timeout", DEFAULT_TIMEOUT),
                level.flag("fastcgi_intercept_errors", false), level.nextUpstream("fastcgi", GatewayModule.CONDITIONS),
                level.inheritedAll("fastcgi_catch_stderr").stream().map(d -> d.args().get(0)).toList(), buffering,
                GatewayModule.hidden(level, "fastcgi"), level.flag("fastcgi_request_buffering", true), level.flag("fastcgi_pass_request_body", true),
                dynamic ? variables : null, dynamic ? level.upstreamNames() : null);
    }

    @Override
    public Map<String, Variable> variables() {
        return Map.of(
                "fastcgi_script_name", scope -> {
                    FastCgiSettings f = scope.moduleSettings(SETTINGS);
                    return f == null ? scope.uri() : f.scriptName(scope.uri());
                },
                "fastcgi_path_info", scope -> {
                    FastCgiSettings f = scope.moduleSettings(SETTINGS);
                    return f == null ? "" : f.pathInfo(scope.uri());
                });
    }

    @Override
    public ContentPhaseHandler contentHandler(Services services) {
        return exchange -> {
            FastCgiSettings settings = exchange.settings().module(SETTINGS);
            if (settings == null) {
                return false;
            }
            HttpCache.answer(exchange, HttpCache.Protocol.FASTCGI, () -> {
                if (settings.requestBuffering()) {
                    exchange.readBody(() -> start(exchange, settings, services));
                } else {
                    start(exchange, settings, services);
                }
            });
            return true;
        };
    }

    private static void start(Exchange exchange, FastCgiSettings settings, Services services) {
        GatewayModule.start(exchange, settings.upstream(), settings.addressVariables(), settings.names(), services,
                (ex, group) -> new FastCgiExchange(ex, settings, group));
    }

    /** What each level writes is checked even where no fastcgi_pass uses it, so -t reports it. */
    private static void checkOwn(Level level) throws ConfException {
        GatewayModule.check(level, "fastcgi", FLAGS, TIMEOUTS);
        if (level.own("fastcgi_split_path_info") != null) {
            split(level.own("fastcgi_split_path_info"));
        }
    }

    private static Regex split(Directive d) throws ConfException {
        String pattern = d.args().get(0);
        Regex regex;
        try {
            regex = Regex.compile(pattern, false);
        } catch (PatternSyntaxException e) {
            throw Values.error(d, "invalid regex \"" + pattern + "\": " + e.getDescription());
        }
        if (regex.pattern().matcher("").groupCount() != 2) {
            throw Values.error(d, "pattern \"" + pattern + "\" must have 2 captures");
        }
        return regex;
    }
}
