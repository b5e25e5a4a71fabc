package io.ferry.cache;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.Level;
import io.ferry.variable.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one location caches through one protocol (PREFIX_cache and the rest of the family): the
 * zone (or its name with variables, found per request among {@code zones}), the key, how long each status stays valid, the methods, the predicates that bypass the
 * cache or keep a response out of it, how many requests a key needs before it is stored, and how
 * an expired entry is refreshed.
 */
record CachePolicy(CacheZone zone, Template zoneName, Map<String, CacheZone> zones, Template key, List<Valid> valid, Set<String> methods, List<Template> bypass,
        List<Template> noCache, int minUses, boolean convertHead, StaleUse stale, boolean backgroundUpdate,
        CacheLock.Settings lock, boolean revalidate) {

    /** One PREFIX_cache_valid line: its statuses (empty: any) and time. */
    record Valid(Set<Integer> statuses, long millis) {
    }

    /** The location's policy, or null where PREFIX_cache is off or absent. */
    static CachePolicy of(Level level, String prefix, Map<String, CacheZone> zones, String defaultKey)
            throws ConfException {
        Directive cache = level.inherited(prefix + "_cache");
        List<Valid> valid = valid(level, prefix);
        Set<String> methods = methods(level, prefix);
        List<Template> bypass = predicates(level, prefix + "_cache_bypass");
        List<Template> noCache = predicates(level, prefix + "_no_cache");
        Directive usesD = level.inherited(prefix + "_cache_min_uses");
        int minUses = usesD == null ? 1 : Values.positiveInt(usesD, usesD.args().get(0));
        boolean convertHead = prefix.equals("proxy") && level.flag(prefix + "_cache_convert_head", true);
        StaleUse stale = StaleUse.of(level, prefix);
        boolean backgroundUpdate = level.flag(prefix + "_cache_background_update", false);
        CacheLock.Settings lock = CacheLock.Settings.of(level, prefix);
        boolean revalidate = level.flag(prefix + "_cache_revalidate", false);
        if (cache == null || cache.args().get(0).equals("off")) {
            return null;
        }
        String name = cache.args().get(0);
        Template zoneName = level.template(cache, name);
        CacheZone zone = null;
        if (zoneName.isConstant()) {
            zone = zones.get(name);
            if (zone == null) {
                throw Values.error(cache, "\"" + prefix + "_cache\" zone \"" + name + "\" is unknown");
            }
        }
        Directive keyD = level.inherited(prefix + "_cache_key");
        Template key;
        if (keyD != null) {
            key = level.template(keyD, keyD.args().get(0));
        } else if (defaultKey != null) {
            key = level.template(cache, defaultKey);
        } else {
            throw Values.error(cache, "no \"" + prefix + "_cache_key\" for \"" + prefix + "_cache\"");
        }
        return new CachePolicy(zone, zoneName, zones, key, valid, methods, bypass, noCache, minUses, convertHead, stale,
                backgroundUpdate, lock, revalidate);
    }

    /** Milliseconds a response of {@code status} stays valid by PREFIX_cache_valid; 0 for not cached. */
    long validFor(int status) {
        for (Valid v : valid) {
            if (v.statuses().contains(status)) {
                return v.millis();
            }
        }
        for (Valid v : valid) {
            if (v.statuses().isEmpty()) {
                return v.millis();
            }
        }
        return 0;
    }

    private static List<Valid> valid(Level level, String prefix) throws ConfException {
        List<Valid> out = new ArrayList<>();
        for (Directive d : level.inheritedAll(prefix + "_cache_valid")) {
            List<String> args = d.args();
            long millis = Values.time(d, args.get(args.size() - 1)).toMillis();
            if (args.size() == 1) {
                out.add(new Valid(Set.of(200, 301, 302), millis));
                continue;
            }
            Set<Integer> statuses = new java.util.HashSet<>();
            boolean any = false;
            for (String code : args.subList(0, args.size() - 1)) {
                if (code.equals("any")) {
                    any = true;
                } else if (code.matches("[1-5][0-9][0-9]")) {
                    statuses.add(Integer.parseInt(code));
                } else {
                    throw Values.error(d, "invalid status \"" + code + "\"");
                }
            }
            out.add(new Valid(any ? Set.of() : Set.copyOf(statuses), millis));
        }
        return List.copyOf(out);
    }

    /** GET and HEAD always; POST where written. */
    private static Set<String> methods(Level level, String prefix) throws ConfException {
        Directive d = level.inherited(prefix + "_cache_methods");
        Set<String> out = new java.util.HashSet<>(Set.of("GET", "HEAD"));
        if (d != null) {
            for (String m : d.args()) {
                if (!m.equals("GET") && !m.equals("HEAD") && !m.equals("POST")) {
                    throw Values.error(d, "invalid value \"" + m + "\"");
                }
                out.add(m);
            }
        }
        return Set.copyOf(out);
    }

    /** Every argument of every line, from the nearest level that writes any. */
    private static List<Template> predicates(Level level, String name) throws ConfException {
        List<Template> out = new ArrayList<>();
        for (Directive d : level.inheritedAll(name)) {
            for (String arg : d.args()) {
                out.add(level.template(d, arg));
            }
        }
        return List.copyOf(out);
    }

    /** nginx's predicate test: true when any value is neither empty nor "0". */
    static boolean any(List<Template> predicates, io.ferry.variable.ConnectionScope scope) {
        for (Template t : predicates) {
            String v = t.render(scope);
            if (!v.isEmpty() && !v.equals("0")) {
                return true;
            }
        }
        return false;
    }
}
