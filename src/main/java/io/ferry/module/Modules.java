package io.ferry.module;

import io.ferry.cache.CacheModule;
import io.ferry.conf.ConfException;
import io.ferry.fastcgi.FastCgiModule;
import io.ferry.scgi.ScgiModule;
import io.ferry.uwsgi.UwsgiModule;
import io.ferry.files.FilesModule;
import io.ferry.http.hook.AccessHandler;
import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.memcached.MemcachedModule;
import io.ferry.log.LogModule;
import io.ferry.http.hook.PostReadHandler;
import io.ferry.http.hook.PreAccessHandler;
import io.ferry.http.hook.RewriteHandler;
import io.ferry.metrics.StatusModule;
import io.ferry.model.ModuleSettings;
import io.ferry.model.Slot;
import io.ferry.module.access.AccessModule;
import io.ferry.module.authbasic.AuthBasicModule;
import io.ferry.module.authrequest.AuthRequestModule;
import io.ferry.module.charset.CharsetModule;
import io.ferry.module.chunked.ChunkedModule;
import io.ferry.module.autoindex.AutoindexModule;
import io.ferry.module.emptygif.EmptyGifModule;
import io.ferry.module.geo.GeoModule;
import io.ferry.module.splitclients.SplitClientsModule;
import io.ferry.upstream.ZoneModule;
import io.ferry.upstream.lb.RandomModule;
import io.ferry.resolver.ResolverModule;
import io.ferry.module.gunzip.GunzipModule;
import io.ferry.module.gzip.GzipModule;
import io.ferry.module.headers.HeadersModule;
import io.ferry.module.limitconn.LimitConnModule;
import io.ferry.module.limitrate.LimitRateModule;
import io.ferry.module.limitreq.LimitReqModule;
import io.ferry.proxy.ProxyModule;
import io.ferry.stream.StreamModule;
import io.ferry.module.range.RangeModule;
import io.ferry.module.realip.RealIpModule;
import io.ferry.module.referer.RefererModule;
import io.ferry.module.rewrite.RewriteModule;
import io.ferry.module.securelink.SecureLinkModule;
import io.ferry.module.ssi.SsiModule;
import io.ferry.module.sub.SubModule;
import io.ferry.variable.Variable;
import io.ferry.http.body.BodyModule;
import io.ferry.http.conn.ConnectionModule;
import io.ferry.http.v2.Http2Module;
import io.ferry.http.product.ProductModule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The modules Ferry is built with (nginx's ngx_modules.c): one line per module. Order matters as in
 * nginx: header filters run in this order, content handlers are tried in this order.
 */
public final class Modules {
    private static final List<Module> ALL = List.of(
            new StatusModule(),
            new HeadersModule(),
            new FastCgiModule(),
            new UwsgiModule(),
            new ScgiModule(),
            new MemcachedModule(),
            new ProxyModule(),
            new CacheModule(),
            new CharsetModule(),
            new GunzipModule(),
            new SubModule(),
            new SsiModule(),
            new GzipModule(),
            new LogModule(),
            new StreamModule(),
            new AccessModule(),
            new RealIpModule(),
            new RewriteModule(),
            new AuthBasicModule(),
            new AuthRequestModule(),
            new LimitReqModule(),
            new LimitConnModule(),
            new LimitRateModule(),
            new ProductModule(),
            new EmptyGifModule(),
            new RefererModule(),
            new GeoModule(),
            new SplitClientsModule(),
            new ZoneModule(false),
            new ZoneModule(true),
            new RandomModule(false),
            new RandomModule(true),
            new SecureLinkModule(),
            new AutoindexModule(),
            new BodyModule(),
            new ConnectionModule(),
            new Http2Module(),
            new FilesModule(),
            new ResolverModule(),
            new RangeModule(),
            new ChunkedModule());

    private static final List<HeaderFilter> HEADER_FILTERS =
            ALL.stream().map(Module::headerFilter).filter(Objects::nonNull).toList();

    private static final List<PostReadHandler> POST_READ_HANDLERS =
            ALL.stream().map(Module::postReadHandler).filter(Objects::nonNull).toList();

    private static final List<PreAccessHandler> PRE_ACCESS_HANDLERS =
            ALL.stream().map(Module::preAccessHandler).filter(Objects::nonNull).toList();

    private static final List<RewriteHandler> REWRITE_HANDLERS =
            ALL.stream().map(Module::rewriteHandler).filter(Objects::nonNull).toList();

    private static final List<AccessHandler> ACCESS_HANDLERS =
            ALL.stream().map(Module::accessHandler).filter(Objects::nonNull).toList();

    private static final Map<String, java.util.function.BiConsumer<io.ferry.variable.RequestScope, String>> SETTERS =
            ALL.stream().flatMap(m -> m.variableSetters().entrySet().stream())
                    .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));

    private Modules() {
    }

    public static void directives(DirectiveRows rows) {
        for (Module m : ALL) {
            m.directives(rows);
        }
    }

    /** Every module's settings for one level. */
    public static ModuleSettings settings(Level level) throws ConfException {
        return build(level, Module::settingsSlot, Module::settings);
    }

    /** Every module's per-configuration settings, built once from the http level. */
    public static ModuleSettings httpSettings(Level http) throws ConfException {
        return build(http, Module::httpSlot, Module::httpSettings);
    }

    private interface Builder {
        Object build(Module m, Level level) throws ConfException;
    }

    private static ModuleSettings build(Level level, Function<Module, Slot<?>> slots, Builder builder) throws ConfException {
        Object[] values = new Object[Slot.count()];
        for (Module m : ALL) {
            Object value = builder.build(m, level);
            Slot<?> slot = slots.apply(m);
            if (slot != null) {
                values[slot.index()] = value;
            }
        }
        return new ModuleSettings(values);
    }

    /** Every module's block-defined variables (geo, split_clients), in module order. */
    public static void defineVariables(Level http, io.ferry.variable.Variables variables) throws ConfException {
        for (Module m : ALL) {
            m.defineVariables(http, variables);
        }
    }

    public static Map<String, Variable> variables() {
        Map<String, Variable> all = new HashMap<>();
        for (Module m : ALL) {
            all.putAll(m.variables());
        }
        return all;
    }

    /** The module's handler that `set $name` goes through, or null when the name is a variable of the request's own. */
    public static java.util.function.BiConsumer<io.ferry.variable.RequestScope, String> variableSetter(String name) {
        return SETTERS.get(name);
    }

    public static List<HeaderFilter> headerFilters() {
        return HEADER_FILTERS;
    }

    public static List<PostReadHandler> postReadHandlers() {
        return POST_READ_HANDLERS;
    }

    public static List<PreAccessHandler> preAccessHandlers() {
        return PRE_ACCESS_HANDLERS;
    }

    public static List<RewriteHandler> rewriteHandlers() {
        return REWRITE_HANDLERS;
    }

    public static List<AccessHandler> accessHandlers() {
        return ACCESS_HANDLERS;
    }

    public static List<ContentPhaseHandler> contentHandlers(Services services) {
        return ALL.stream().map(m -> m.contentHandler(services)).filter(Objects::nonNull).toList();
    }

    /** Every module's directives that assign a variable, as `set` does. */
    public static Set<String> variableAssigners() {
        return ALL.stream().flatMap(m -> m.variableAssigners().stream()).collect(Collectors.toUnmodifiableSet());
    }

    public static Set<String> names() {
        return ALL.stream().map(Module::name).collect(Collectors.toUnmodifiableSet());
    }

    public static List<String> configureArguments() {
        List<String> words = new ArrayList<>();
        for (Module m : ALL) {
            words.addAll(m.configureArguments());
        }
        return words;
    }
}
