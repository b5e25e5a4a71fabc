package io.ferry.variable;

/**
 * What a client connection exposes to variables, HTTP's and stream's alike (nginx keeps the two
 * namespaces apart, with these names in both). {@link RequestScope} adds what a request has.
 */
public interface ConnectionScope {
    String remoteAddr();

    String remotePort();

    String serverAddr();

    String serverPort();

    // ---- known once the response or session is under way (logging); null elsewhere ------------

    default String status() {
        return null;
    }

    default String bytesSent() {
        return null;
    }

    default String connection() {
        return null;
    }

    /** One entry per upstream attempt, joined with ", " as nginx does. */
    default String upstreamAddr() {
        return null;
    }

    default String upstreamConnectTime() {
        return null;
    }

    default String sslProtocol() {
        return null;
    }

    default String sslCipher() {
        return null;
    }

    /** $ssl_server_name: the host name asked for by SNI ("" without one), null without TLS. */
    default String sslServerName() {
        return null;
    }

    /** $ssl_session_reused: "r" when the TLS session was resumed, "." otherwise, null without TLS. */
    default String sslSessionReused() {
        return null;
    }

    /** $ssl_session_id: the TLS session's ID in hex ("" when it has none), null without TLS. */
    default String sslSessionId() {
        return null;
    }

    /** What the connection's PROXY protocol header said, null without one (or one without addresses). */
    default io.ferry.proxyprotocol.ProxyHeader proxyProtocol() {
        return null;
    }

    /** The TLS connection for the $ssl_client_* variables, null without TLS. */
    default io.ferry.tls.TlsPeer tlsPeer() {
        return null;
    }
}
