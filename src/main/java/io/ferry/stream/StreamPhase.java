package io.ferry.stream;

/**
 * nginx's stream phases, in the order a session runs them; limit_conn runs first in PREACCESS and
 * the TLS handshake of a "listen ... ssl" comes between ACCESS and PREREAD, as in nginx.
 */
public enum StreamPhase {
    /** Right after the PROXY protocol header (realip). */
    POST_ACCEPT,
    /** set. */
    PREACCESS,
    /** allow/deny. */
    ACCESS,
    /** Handlers that look at the client's first bytes before the content starts (ssl_preread). */
    PREREAD
}
