package io.ferry.route;

import io.ferry.model.Location;
import io.ferry.model.LocationModifier;
import java.util.List;
import io.ferry.variable.Captures;

/**
 * nginx's location search (ngx_http_core_find_location): an exact match wins at once; otherwise
 * the longest prefix is remembered and its nested locations searched; "^~" on that prefix skips
 * the regexes; otherwise the first matching regex, in configuration order, wins over the prefix.
 * A URI one '/' short of a prefix location that passes requests to an upstream (proxy_pass,
 * fastcgi_pass, memcached_pass) is nginx's auto redirect, decided before the regexes.
 */
public final class LocationMatcher {
    private LocationMatcher() {
    }

    /** Returns null when nothing matches (the server-level configuration then applies). */
    public static LocationMatch find(List<Location> locations, String uri) {
        Result r = search(locations, uri);
        return r == null ? null : r.match;
    }

    private record Result(LocationMatch match, boolean finalMatch) {
    }

    private static Result search(List<Location> locations, String uri) {
        Location longest = null;
        Location autoRedirect = null;
        for (Location loc : locations) {
            switch (loc.modifier()) {
                case EXACT -> {
                    if (loc.path().equals(uri)) {
                        return new Result(new LocationMatch(loc, null), true);
                    }
                }
                case PREFIX, PREFERRED_PREFIX -> {
                    if (uri.startsWith(loc.path()) && (longest == null || loc.path().length() > longest.path().length())) {
                        longest = loc;
                    } else if (loc.path().length() == uri.length() + 1 && loc.path().endsWith("/") && loc.path().startsWith(uri)
                            && !loc.settings().modules().upstreams().isEmpty()) {
                        autoRedirect = loc;
                    }
                }
                default -> {
                }
            }
        }
        if (autoRedirect != null) {
            return new Result(new LocationMatch(autoRedirect, null, true), true);
        }
        Result candidate = longest == null ? null : new Result(new LocationMatch(longest, null), false);
        if (longest != null && !longest.nested().isEmpty()) {
            Result inner = search(longest.nested(), uri);
            if (inner != null && inner.finalMatch) {
                return inner;
            }
            if (inner != null) {
                candidate = inner;
            }
        }
        if (longest != null && longest.modifier() == LocationModifier.PREFERRED_PREFIX) {
            return new Result(candidate.match, true);
        }
        for (Location loc : locations) {
            if (loc.modifier().isRegex()) {
                Captures m = loc.regex().find(uri);
                if (m != null) {
                    Result inner = loc.nested().isEmpty() ? null : search(loc.nested(), uri);
                    if (inner != null && inner.finalMatch) {
                        return inner;
                    }
                    return new Result(new LocationMatch(loc, m), true);
                }
            }
        }
        return candidate;
    }

    /** Named locations ("@name") are reached only by internal redirects. */
    public static Location named(List<Location> locations, String name) {
        for (Location loc : locations) {
            if (loc.modifier() == LocationModifier.NAMED && loc.path().equals(name)) {
                return loc;
            }
        }
        return null;
    }
}
