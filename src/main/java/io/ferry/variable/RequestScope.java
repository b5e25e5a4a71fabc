package io.ferry.variable;

/**
 * What a request exposes to variables, on top of its connection's. Implemented by the HTTP exchange;
 * values are computed on demand so a template only pays for the variables it names.
 */
public interface RequestScope extends SessionScope {
    /** A module's settings for the request's location, or null (nginx's ngx_http_get_module_loc_conf). */
    default <T> T moduleSettings(io.ferry.model.Slot<T> slot) {
        return null;
    }

    String serverName();

    /** Host header without port, lower-cased, or the server name when absent (nginx's $host). */
    String host();

    /** A request header by lower-case name, or null. Several values are joined with ", ". */
    String requestHeader(String lowerName);

    /** The undecoded query string, or null when the request had no '?'. */
    String args();

    /** The normalized, decoded path. */
    String uri();

    /** The request target exactly as the client sent it. */
    String requestUri();

    String method();

    String scheme();

    String protocol();

    String requestId();

    /** The settings of the location chosen for this request; null outside HTTP (a stream session). */
    default io.ferry.model.LocationSettings settings() {
        return null;
    }

    // ---- known once the response is under way (logging); null elsewhere ----------------------

    default String bodyBytesSent() {
        return null;
    }

    default String requestLength() {
        return null;
    }

    /** Seconds since the first byte of the request, with millisecond resolution ("0.012"). */
    default String requestTime() {
        return null;
    }

    default String connectionRequests() {
        return null;
    }

    /** Seconds since the connection was accepted, with millisecond resolution ("1.234"). */
    default String connectionTime() {
        return null;
    }

    default String upstreamStatus() {
        return null;
    }

    default String upstreamResponseTime() {
        return null;
    }

    default String upstreamHeaderTime() {
        return null;
    }

    default String upstreamResponseLength() {
        return null;
    }

    default String upstreamBytesReceived() {
        return null;
    }

    default String upstreamBytesSent() {
        return null;
    }

    /** $upstream_http_NAME: a header of the last upstream response, or null. */
    default String upstreamHeader(String name) {
        return null;
    }

    /** $upstream_cookie_NAME: a cookie the last upstream response set, or null. */
    default String upstreamCookie(String name) {
        return null;
    }

    /** $sent_http_NAME: a header of the response as sent, or null. */
    default String sentHeader(String name) {
        return null;
    }

    /** $sent_trailer_NAME: a trailer field added so far, or null. */
    default String sentTrailer(String name) {
        return null;
    }

    // ---- files: known once a location is chosen ------------------------------------

    /** $document_root: the location's root (or alias), variables rendered. */
    default String documentRoot() {
        return null;
    }

    /** $request_filename: the file the URI maps to under root or alias. */
    default String requestFilename() {
        return null;
    }

    /**
     * True once try_files found the URI under a regex location's alias, which then names the
     * directory the URI is looked up in rather than the whole path (nginx's add_uri_to_alias).
     */
    default boolean uriAddedToAlias() {
        return false;
    }
}
