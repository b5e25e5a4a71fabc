package io.ferry.model;

import java.util.List;
import io.ferry.variable.Regex;

/**
 * A location block with its effective (inherited and merged) settings and its nested locations.
 * {@code slashRedirect}: its path ends in "/" and it passes requests on (proxy_pass and the like),
 * so the path without that slash is answered with a 301 to it (nginx's auto_redirect).
 * {@code limitExcept}: its limit_except block, or null.
 */
public record Location(
        LocationModifier modifier,
        String path,
        Regex regex,
        List<Location> nested,
        LocationSettings settings,
        boolean slashRedirect,
        LimitExcept limitExcept,
        String file,
        int line) {

    /** The settings a request with this method gets: the limit_except block's when it limits the method. */
    public LocationSettings settings(String method) {
        return limitExcept != null && limitExcept.limits(method) ? limitExcept.settings() : settings;
    }

    public String describe() {
        return "location " + (modifier.symbol().isEmpty() ? "" : modifier.symbol() + " ") + path;
    }
}
