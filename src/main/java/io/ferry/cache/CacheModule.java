package io.ferry.cache;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Context;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.variable.Variable;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * nginx's upstream cache (ngx_http_file_cache with the proxy_cache family): the cache paths of a
 * configuration, each location's policy, and $upstream_cache_status. The protocols call
 * {@link HttpCache} before dialing and once their upstream's head arrived.
 */
public final class CacheModule implements Module {
    static final Slot<Policies> SETTINGS = new Slot<>();
    static final Slot<Zones> ZONES = new Slot<>();
    static final Slot<HttpCache.Lookup> CONTEXT = new Slot<>();
    private static final Set<Context> HSL = EnumSet.of(HTTP, SERVER, LOCATION);
    private static final String PROXY = "proxy";
    private static final String FASTCGI = "fastcgi";

    /** Each protocol's policy for one level; null where that protocol does not cache. */
    record Policies(CachePolicy proxy, CachePolicy fastcgi) {
    }

    /** Each protocol's cache paths by keys zone name. */
    record Zones(Map<String, CacheZone> proxy, Map<String, CacheZone> fastcgi) {
    }

    /** What -V drops ("--without-http-cache" is how nginx-tests learn a build has no cache). */
    @Override
    public String name() {
        return "http-cache";
    }

    @Override
    public void directives(DirectiveRows rows) {
        family(rows, PROXY);
        family(rows, FASTCGI);
        // a HEAD converted to GET exists for proxy only, as in nginx
        rows.one(PROXY + "_cache_convert_head", HSL);
    }

    private static void family(DirectiveRows rows, String prefix) {
        rows.add(prefix + "_cache_path", EnumSet.of(HTTP), 2, DirectiveRows.ANY, null, true);
        rows.one(prefix + "_cache", HSL);
        rows.one(prefix + "_cache_key", HSL);
        rows.add(prefix + "_cache_valid", HSL, 1, DirectiveRows.ANY, null, true);
        rows.add(prefix + "_cache_methods", HSL, 1, DirectiveRows.ANY, null, false);
        rows.add(prefix + "_cache_bypass", HSL, 1, DirectiveRows.ANY, null, true);
        rows.add(prefix + "_no_cache", HSL, 1, DirectiveRows.ANY, null, true);
        rows.one(prefix + "_cache_min_uses", HSL);
    }

    @Override
    public Slot<?> httpSlot() {
        return ZONES;
    }

    @Override
    public Object httpSettings(Level http) throws ConfException {
        return new Zones(zones(http, PROXY), zones(http, FASTCGI));
    }

    /** Every PREFIX_cache_path; a keys zone name is one cache's alone. */
    private static Map<String, CacheZone> zones(Level http, String prefix) throws ConfException {
        Map<String, CacheZone> zones = new LinkedHashMap<>();
        for (Directive d : http.ownAll(prefix + "_cache_path")) {
            CacheZone zone = CacheZone.parse(d, http.prefix());
            if (zones.putIfAbsent(zone.name(), zone) != null) {
                throw Values.error(d, "duplicate zone \"" + zone.name() + "\"");
            }
        }
        return Map.copyOf(zones);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        Zones zones = level.http(ZONES);
        if (zones == null) {
            return null;
        }
        CachePolicy proxy = CachePolicy.of(level, PROXY, zones.proxy(), "$scheme$proxy_host$request_uri");
        CachePolicy fastcgi = CachePolicy.of(level, FASTCGI, zones.fastcgi(), null);
        return proxy == null && fastcgi == null ? null : new Policies(proxy, fastcgi);
    }

    @Override
    public Map<String, Variable> variables() {
        return Map.of("upstream_cache_status", HttpCache::status);
    }
}
