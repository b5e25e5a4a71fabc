package io.ferry.route;

import io.ferry.model.Location;
import java.util.regex.MatchResult;

/**
 * The chosen location and, for a regex location, its match (for $1..$9); {@code slashRedirect} when
 * the URI is the location's path without its final slash and the answer is a 301 to that path.
 */
public record LocationMatch(Location location, MatchResult captures, boolean slashRedirect) {
    public LocationMatch(Location location, MatchResult captures) {
        this(location, captures, false);
    }
}
