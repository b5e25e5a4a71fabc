package io.ferry.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/**
 * What a TLS handshake settled that nginx exposes as variables: the host name asked for by SNI
 * ($ssl_server_name) and whether a session was resumed ($ssl_session_reused).
 */
public final class ServerNames {
    private ServerNames() {
    }

    /**
     * nginx's "r" for a resumed session, else "."; the JDK's engine does not say, so without
     * OpenSSL every session reads as new.
     */
    public static String reused(SSLEngine engine) {
        if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
            synchronized (openSsl) {
                long ssl = openSsl.sslPointer();
                return ssl != 0 && SSL.isSessionReused(ssl) ? "r" : ".";
            }
        }
        return ".";
    }

    /** The requested host name, or "" when the client sent none (nginx's empty value). */
    public static String requested(SSLSession session) {
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    return host.getAsciiName();
                }
            }
        }
        return "";
    }
}
