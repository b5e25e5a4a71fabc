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
import io.ferry.variable.RequestScope;
import io.ferry.variable.Variable;
import java.util.EnumMap;
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

    /** Each protocol's policy for one level; absent where that protocol does not cache. */
    record Policies(Map<HttpCache.Protocol, CachePolicy> byProtocol) {
    }

    /** Each protocol's cache paths by keys zone name. */
    record Zones(Map<HttpCache.Protocol, Map<String, CacheZone>> byProtocol) {
    }

    /** What the cache did for a request: the keys zone it looked in and its $upstream_cache_status. */
    public record Outcome(String zone, String status) {
        private static final Set<String> FROM_FILE = Set.of("HIT", "STALE", "UPDATING", "REVALIDATED");

        /** Whether the body sent was the stored entry's rather than the upstream's. */
        public boolean servedFromCache() {
            return FROM_FILE.contains(status);
        }
    }

    /** Null where the cache took no part in the request (or has not decided yet). */
    public static Outcome outcome(RequestScope scope) {
        HttpCache.Lookup lookup = scope.moduleContext(CONTEXT);
        return lookup == null || lookup.status == null ? null : new Outcome(lookup.zone.name(), lookup.status);
    }

    /** What -V drops ("--without-http-cache" is how nginx-tests learn a build has no cache). */
    @Override
    public String name() {
        return "http-cache";
    }

    @Override
    public void directives(DirectiveRows rows) {
        for (HttpCache.Protocol protocol : HttpCache.Protocol.values()) {
            family(rows, protocol.prefix());
        }
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
        rows.add(prefix + "_cache_use_stale", HSL, 1, DirectiveRows.ANY, null, false);
        rows.one(prefix + "_cache_background_update", HSL);
        rows.one(prefix + "_cache_lock", HSL);
        rows.one(prefix + "_cache_lock_timeout", HSL);
        rows.one(prefix + "_cache_lock_age", HSL);
        rows.one(prefix + "_cache_revalidate", HSL);
    }

    @Override
    public Slot<?> httpSlot() {
        return ZONES;
    }

    @Override
    public Object httpSettings(Level http) throws ConfException {
        Map<HttpCache.Protocol, Map<String, CacheZone>> zones = new EnumMap<>(HttpCache.Protocol.class);
        for (HttpCache.Protocol protocol : HttpCache.Protocol.values()) {
            zones.put(protocol, zones(http, protocol.prefix()));
        }
        return new Zones(zones);
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
        Map<HttpCache.Protocol, CachePolicy> policies = new EnumMap<>(HttpCache.Protocol.class);
        for (HttpCache.Protocol protocol : HttpCache.Protocol.values()) {
            // only proxy_cache_key has a default; the gateways' keys must be written
            CachePolicy policy = CachePolicy.of(level, protocol.prefix(), zones.byProtocol().get(protocol),
                    protocol == HttpCache.Protocol.PROXY ? "$scheme$proxy_host$request_uri" : null);
            if (policy != null) {
                policies.put(protocol, policy);
            }
        }
        return policies.isEmpty() ? null : new Policies(policies);
    }

    @Override
    public Map<String, Variable> variables() {
        return Map.of("upstream_cache_status", HttpCache::status);
    }
}
