package io.ferry.gateway;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.cache.HttpCache;
import io.ferry.conf.ConfException;
import io.ferry.conf.Context;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.Exchange;
import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.model.HeaderNames;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.module.Services;
import io.ferry.resolver.PassAddress;
import io.ferry.resolver.RuntimeUpstream;
import io.ferry.upstream.NextUpstream;
import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamGroup;
import io.ferry.upstream.UpstreamNames;
import io.ferry.variable.Template;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * What nginx's uwsgi and scgi modules share: PREFIX_pass (an address, a group, or variables),
 * PREFIX_param, the request header and body switches, timeouts, next_upstream, hidden headers,
 * intercept_errors and the buffering family, read per level into a {@link GatewaySettings}, and the
 * content handler that answers from the protocol's cache or starts its exchange. {@code S} is the module's own settings.
 */
public abstract class GatewayModule<S> implements Module {
    /** The next_upstream keywords of fastcgi, uwsgi and scgi: no http_502/http_504, those are the gateway's own answers. */
    public static final Set<NextUpstream.Condition> CONDITIONS = EnumSet.of(NextUpstream.Condition.ERROR,
            NextUpstream.Condition.TIMEOUT, NextUpstream.Condition.INVALID_HEADER, NextUpstream.Condition.HTTP_500,
            NextUpstream.Condition.HTTP_503, NextUpstream.Condition.HTTP_403, NextUpstream.Condition.HTTP_404,
            NextUpstream.Condition.HTTP_429, NextUpstream.Condition.NON_IDEMPOTENT);

    protected static final Set<Context> HSL = EnumSet.of(HTTP, SERVER, LOCATION);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> FLAGS = List.of("_intercept_errors", "_request_buffering", "_pass_request_body",
            "_pass_request_headers", "_socket_keepalive");
    private static final List<String> TIMEOUTS = List.of("_connect_timeout", "_read_timeout", "_send_timeout");

    private final HttpCache.Protocol protocol;
    private final String prefix;
    private final Slot<S> slot;

    protected GatewayModule(HttpCache.Protocol protocol, Slot<S> slot) {
        this.protocol = protocol;
        this.prefix = protocol.prefix();
        this.slot = slot;
    }

    /** The module's settings around the shared ones of a level with PREFIX_pass. */
    protected abstract S settings(Level level, GatewaySettings gateway) throws ConfException;

    protected abstract GatewaySettings gateway(S settings);

    /** The protocol's exchange for one request on {@code group}. */
    protected abstract UpstreamExchange exchange(Exchange ex, S settings, UpstreamGroup group);

    /** PREFIX_pass's argument without a scheme the protocol allows ("uwsgi://"), or as written. */
    protected String address(String written) {
        return written;
    }

    @Override
    public Slot<?> settingsSlot() {
        return slot;
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.one(prefix + "_pass", EnumSet.of(LOCATION, IF));
        rows.add(prefix + "_param", HSL, 2, 3, null, true);
        for (String name : FLAGS) {
            rows.one(prefix + name, HSL);
        }
        for (String name : TIMEOUTS) {
            rows.one(prefix + name, HSL);
        }
        rows.one(prefix + "_next_upstream_tries", HSL);
        rows.one(prefix + "_next_upstream_timeout", HSL);
        rows.one(prefix + "_buffer_size", HSL);
        BufferSettings.directives(rows, prefix, HSL);
        rows.add(prefix + "_hide_header", HSL, 1, 1, null, true);
        rows.add(prefix + "_pass_header", HSL, 1, 1, null, true);
        rows.add(prefix + "_next_upstream", HSL, 1, DirectiveRows.ANY, null, false);
        rows.add(prefix + "_bind", HSL, 1, 2, null, false);
    }

    @Override
    public Object settings(Level level) throws ConfException {
        check(level, prefix, FLAGS, TIMEOUTS);
        Directive bufferSizeD = level.inherited(prefix + "_buffer_size");
        BufferSettings buffering = BufferSettings.of(level, prefix,
                bufferSizeD == null ? 8192 : Values.size(bufferSizeD, bufferSizeD.args().get(0)));
        Template bind = bind(level, prefix);
        Directive pass = level.pass(prefix + "_pass");
        if (pass == null) {
            return null;
        }
        for (String other : List.of("proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass")) {
            if (!other.equals(prefix + "_pass") && level.own(other) != null) {
                throw Values.error(pass, "\"" + prefix + "_pass\" directive is duplicate, \"" + other + "\" is set in this location");
            }
        }
        List<CgiRequest.Param> params = new ArrayList<>();
        for (Directive d : level.inheritedAll(prefix + "_param")) {
            params.add(new CgiRequest.Param(d.args().get(0), level.template(d, d.args().get(1)), d.args().size() == 3));
        }
        String address = address(pass.args().get(0));
        Template variables = address.indexOf('$') >= 0 ? level.template(pass, address) : null;
        boolean dynamic = variables != null && !variables.isConstant();
        Upstream upstream = null;
        if (!dynamic) {
            upstream = level.upstream(new Directive(pass.name(), List.of(address), null, pass.file(), pass.line()), true);
        }
        GatewaySettings gateway = new GatewaySettings(upstream, address, List.copyOf(params),
                level.flag(prefix + "_pass_request_headers", true), level.flag(prefix + "_pass_request_body", true),
                level.flag(prefix + "_request_buffering", true), level.flag(prefix + "_socket_keepalive", false),
                level.time(prefix + "_connect_timeout", DEFAULT_TIMEOUT), level.time(prefix + "_read_timeout", DEFAULT_TIMEOUT),
                level.time(prefix + "_send_timeout", DEFAULT_TIMEOUT), level.flag(prefix + "_intercept_errors", false),
                level.nextUpstream(prefix, CONDITIONS), buffering, hidden(level, prefix),
                bind, dynamic ? variables : null, dynamic ? level.upstreamNames() : null);
        return settings(level, gateway);
    }

    /** PREFIX_bind ADDRESS (variables allowed; "off" cancels an inherited one): null when connections are not bound. */
    private static Template bind(Level level, String prefix) throws ConfException {
        Directive d = level.inherited(prefix + "_bind");
        if (d == null || d.args().size() == 1 && d.args().get(0).equals("off")) {
            return null;
        }
        if (d.args().size() == 2) {
            throw Values.error(d, d.args().get(1).equals("transparent") ? "\"transparent\" binding is not supported"
                    : "invalid parameter \"" + d.args().get(1) + "\"");
        }
        Template address = level.template(d, d.args().get(0));
        if (address.isConstant()) {
            try {
                GatewayExchange.localAddress(address.text());
            } catch (IllegalArgumentException e) {
                throw Values.error(d, e.getMessage());
            }
        }
        return address;
    }

    @Override
    public ContentPhaseHandler contentHandler(Services services) {
        return ex -> {
            S settings = ex.settings().module(slot);
            if (settings == null) {
                return false;
            }
            GatewaySettings gateway = gateway(settings);
            // As nginx: a chunked body has no length to announce until it is read whole.
            boolean whole = gateway.requestBuffering()
                    || gateway.passRequestBody() && HttpUtil.isTransferEncodingChunked(ex.request());
            Runnable start = () -> start(ex, gateway.upstream(), gateway.addressVariables(), gateway.names(), services,
                    (e, group) -> exchange(e, settings, group));
            HttpCache.answer(ex, protocol, whole ? () -> ex.readBody(start) : start);
            return true;
        };
    }

    /**
     * Starts the exchange {@code create} makes on {@code upstream}, or, for a PREFIX_pass with
     * variables, on the group its rendered address names (a 500 when it renders to no address).
     */
    public static void start(Exchange ex, Upstream upstream, Template addressVariables, UpstreamNames names,
            Services services, BiFunction<Exchange, UpstreamGroup, UpstreamExchange> create) {
        if (upstream != null) {
            create.apply(ex, services.upstreams().group(upstream)).start();
            return;
        }
        StringBuilder error = new StringBuilder();
        PassAddress address = PassAddress.parse(addressVariables.render(ex), 0, error);
        if (address == null) {
            RuntimeUpstream.log(ex, error.toString());
            ex.sendError(HttpResponseStatus.INTERNAL_SERVER_ERROR, !ex.requestComplete());
            return;
        }
        RuntimeUpstream.find(ex, services.upstreams(), names, address, group -> {
            UpstreamExchange exchange = create.apply(ex, group);
            exchange.start();
            return exchange;
        });
    }

    /**
     * What a level writes of PREFIX_param, the {@code flags}, the {@code timeouts} and next_upstream
     * is checked even where no PREFIX_pass uses it, so -t reports it.
     */
    public static void check(Level level, String prefix, List<String> flags, List<String> timeouts) throws ConfException {
        for (Directive d : level.ownAll(prefix + "_param")) {
            if (d.args().size() == 3 && !d.args().get(2).equals("if_not_empty")) {
                throw Values.error(d, "invalid parameter \"" + d.args().get(2) + "\"");
            }
            level.template(d, d.args().get(1));
        }
        for (String name : flags) {
            Directive d = level.own(name.startsWith("_") ? prefix + name : name);
            if (d != null) {
                Values.flag(d);
            }
        }
        for (String name : timeouts) {
            Directive d = level.own(name.startsWith("_") ? prefix + name : name);
            if (d != null) {
                Values.time(d, d.args().get(0));
            }
        }
        if (level.own(prefix + "_next_upstream") != null) {
            Values.keywords(level.own(prefix + "_next_upstream"), NextUpstream.Condition.class, CONDITIONS);
        }
        Directive tries = level.own(prefix + "_next_upstream_tries");
        if (tries != null && !tries.args().get(0).equals("0")) {
            Values.positiveInt(tries, tries.args().get(0));
        }
        Directive nextTimeout = level.own(prefix + "_next_upstream_timeout");
        if (nextTimeout != null) {
            Values.time(nextTimeout, nextTimeout.args().get(0));
        }
    }

    /** nginx's default hidden headers plus PREFIX_hide_header, minus PREFIX_pass_header. */
    public static Set<String> hidden(Level level, String prefix) {
        Set<String> hidden = new HashSet<>(CgiResponseHead.DEFAULT_HIDDEN);
        for (Directive d : level.inheritedAll(prefix + "_hide_header")) {
            hidden.add(d.args().get(0).toLowerCase(Locale.ROOT));
        }
        for (Directive d : level.inheritedAll(prefix + "_pass_header")) {
            hidden.remove(d.args().get(0).toLowerCase(Locale.ROOT));
        }
        return HeaderNames.caseless(hidden);
    }
}
