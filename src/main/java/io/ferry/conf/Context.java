package io.ferry.conf;

/** Where a directive may appear; MAP and TYPES blocks hold free-form entries, not directives. */
public enum Context {
    MAIN, EVENTS, HTTP, SERVER, LOCATION, IF, UPSTREAM, MAP, TYPES,
    /** stream {}, its server {} and upstream {} blocks (nginx's separate stream namespace). */
    STREAM, STREAM_SERVER, STREAM_UPSTREAM
}
