package io.ferry.tls;

import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import java.util.HexFormat;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/**
 * What a TLS handshake settled that nginx exposes as variables: the cipher ($ssl_cipher), the host name asked for by SNI
 * ($ssl_server_name), whether a session was resumed ($ssl_session_reused) and its ID ($ssl_session_id).
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

    /** The session's ID in lower-case hex as nginx prints it, "" for a session without one. */
    public static String sessionId(SSLEngine engine) {
        byte[] id;
        if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
            synchronized (openSsl) {
                long ssl = openSsl.sslPointer();
                id = ssl == 0 ? null : SSL.getSessionId(ssl);
            }
        } else {
            id = engine.getSession().getId();
        }
        return id == null ? "" : HexFormat.of().formatHex(id);
    }

    /**
     * $ssl_cipher: the suite in OpenSSL's words (ECDHE-RSA-AES128-GCM-SHA256), as nginx prints it;
     * TLS 1.3's suites have one name in both.
     */
    public static String cipher(SSLSession session) {
        String java = session.getCipherSuite();
        String openSsl = CipherSuiteConverter.toOpenSsl(java, false);
        return openSsl == null ? java : openSsl;
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
