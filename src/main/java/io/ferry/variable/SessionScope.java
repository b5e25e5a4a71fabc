package io.ferry.variable;

import java.util.regex.MatchResult;

/**
 * What an HTTP request and a stream session both keep for their variables: a module's state,
 * the groups of the last regex match ($1..$9, named captures) and what `set` assigned. A map's
 * value is found once per request or session, as nginx caches it there.
 */
public interface SessionScope extends ConnectionScope {
    /** A module's state for this request or session, or null (nginx's ngx_http_get_module_ctx). */
    default <T> T moduleContext(io.ferry.model.Slot<T> slot) {
        return null;
    }

    /** Keeps a module's state for this request or session (nginx's ngx_http_set_ctx); a scope may keep none. */
    default <T> void moduleContext(io.ferry.model.Slot<T> slot, T context) {
    }

    /** Group {@code n} of the last regex match (location or map), or null. */
    String capture(int n);

    /** A named group of the last regex match, or null. */
    String capture(String name);

    /** Remembers the groups of a regex match for $1..$9, as nginx does for location and map regexes. */
    void captures(MatchResult match);

    /** A variable assigned by `set` in this request or session, or null. */
    default String userVariable(String name) {
        return null;
    }

    default void setUserVariable(String name, String value) {
        throw new UnsupportedOperationException("set is not available here");
    }
}
