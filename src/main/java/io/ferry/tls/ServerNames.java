package io.ferry.tls;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;

/** The host name a client asked for in its TLS handshake (SNI), as $ssl_server_name reports it. */
public final class ServerNames {
    private ServerNames() {
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
