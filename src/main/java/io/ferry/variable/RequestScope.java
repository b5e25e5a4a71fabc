package io.ferry.variable;

import java.util.regex.MatchResult;

/**
 * What a request exposes to variables. Implemented by the HTTP exchange; values are computed on demand
 * so a template only pays for the variables it names.
 */
public interface RequestScope {
    String remoteAddr();

    String remotePort();

    String serverAddr();

    String serverPort();

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

    String proxyHost();

    String proxyPort();

    String requestId();

    /** Group {@code n} of the last regex match (location or map), or null. */
    String capture(int n);

    /** A named group of the last regex match, or null. */
    String capture(String name);

    /** Remembers the groups of a regex match for $1..$9, as nginx does for location and map regexes. */
    void captures(MatchResult match);
}
