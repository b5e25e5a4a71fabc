package io.ferry.conf;

/** Where a directive may appear; MAP and TYPES blocks hold free-form entries, not directives. */
public enum Context {
    MAIN, EVENTS, HTTP, SERVER, LOCATION, IF, UPSTREAM, MAP, TYPES,
    /** A location's limit_except block: access rules, access_log and proxy_pass for the methods it does not name. */
    LIMIT_EXCEPT,
    /** stream {}, its server {} and upstream {} blocks (nginx's separate stream namespace). */
    STREAM, STREAM_SERVER, STREAM_UPSTREAM
}
