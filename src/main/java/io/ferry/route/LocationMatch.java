package io.ferry.route;

import io.ferry.model.Location;
import java.util.regex.MatchResult;

/** The chosen location and, for a regex location, its match (for $1..$9). */
public record LocationMatch(Location location, MatchResult captures) {
}
