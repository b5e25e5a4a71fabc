package io.ferry.proxy;

import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import javax.net.ssl.SSLException;

/**
 * The client TLS contexts for proxy_pass https://, built on first use only (a holder class), so a
 * configuration without HTTPS upstreams never pays their start-up cost. {@link #REUSING} keeps each
 * upstream's last session (by address and port) and offers it on the next connection, as
 * proxy_ssl_session_reuse on does; {@link #FRESH} does a full handshake every time.
 */
final class UpstreamTls {
    static final SslContext REUSING = build(true);
    static final SslContext FRESH = build(false);

    private UpstreamTls() {
    }

    static SslContext context(boolean reuseSessions) {
        return reuseSessions ? REUSING : FRESH;
    }

    private static SslContext build(boolean reuseSessions) {
        try {
            // nginx does not verify upstream certificates unless proxy_ssl_verify is on.
            SslContext context = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
            // Without BoringSSL the JDK's provider always offers a cached session.
            if (context instanceof ReferenceCountedOpenSslContext openSsl) {
                openSsl.sessionContext().setSessionCacheEnabled(reuseSessions);
            }
            return context;
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }
}
