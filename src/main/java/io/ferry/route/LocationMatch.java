package io.ferry.route;

import io.ferry.model.Location;
import java.util.regex.MatchResult;

/**
 * The chosen location and, for a regex location, its match (for $1..$9). {@code autoRedirect}: the
 * URI is the location's prefix without its trailing '/', and the location passes requests to an
 * upstream, so nginx answers with a 301 to the prefix.
 */
public record LocationMatch(Location location, MatchResult captures, boolean autoRedirect) {
    public LocationMatch(Location location, MatchResult captures) {
        this(location, captures, false);
    }
}
