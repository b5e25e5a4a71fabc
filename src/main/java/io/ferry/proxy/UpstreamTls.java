package io.ferry.proxy;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import javax.net.ssl.SSLException;

/**
 * The client TLS context for proxy_pass https://, built on first use only (a holder class), so a
 * configuration without HTTPS upstreams never pays its start-up cost.
 */
final class UpstreamTls {
    static final SslContext CONTEXT = build();

    private UpstreamTls() {
    }

    private static SslContext build() {
        try {
            // nginx does not verify upstream certificates unless proxy_ssl_verify is on.
            return SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }
}
