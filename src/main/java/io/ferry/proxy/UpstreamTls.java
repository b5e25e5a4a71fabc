package io.ferry.proxy;

import io.ferry.tls.ClientVerify;
import io.ferry.tls.TlsContexts;
import io.ferry.variable.ConnectionScope;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The client TLS contexts towards upstreams, one per distinct set of proxy_ssl_* values (and client
 * certificate files, for paths with variables), built on first use, so a configuration without TLS
 * upstreams never pays their start-up cost and a reload with the same values keeps their sessions.
 * With proxy_ssl_session_reuse on a context keeps the last session of each peer, by name, address
 * and port, and offers it on the next connection to that peer; off, every handshake is a full one.
 */
public final class UpstreamTls {
    private record Key(ClientVerify verify, List<Path> certificate, List<String> passwords, List<String> protocols,
            boolean reuse) {
    }

    private static final Map<Key, SslContext> CONTEXTS = new ConcurrentHashMap<>();

    private UpstreamTls() {
    }

    /**
     * A handshake with the upstream at {@code to} (null for a unix socket), {@code host} being the
     * proxied host that names it unless proxy_ssl_name does (nginx's ngx_http_upstream_ssl_name).
     */
    public static SslHandler handler(ProxySsl ssl, ConnectionScope scope, ByteBufAllocator alloc, String host,
            InetSocketAddress to) throws IOException {
        String name = ssl.name() == null ? host : ssl.name().render(scope);
        name = withoutPort(name);
        // The engine's peer host keys its session cache and tells the certificate check the name; made
        // of the name and the address, it is never a host name the engine would send as SNI itself.
        String peerHost = name + "@" + (to == null ? "unix" : to.getAddress() == null ? to.getHostString()
                : to.getAddress().getHostAddress());
        SslHandler handler = context(ssl, scope).newHandler(alloc, peerHost, to == null ? -1 : to.getPort());
        if (ssl.serverName() && sniAllowed(name)) {
            SSLEngine engine = handler.engine();
            SSLParameters params = engine.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName(name)));
            engine.setSSLParameters(params);
        }
        return handler;
    }

    /** The name a certificate is checked against, from the engine's peer host. */
    static String verifiedName(String peerHost) {
        int at = peerHost == null ? -1 : peerHost.lastIndexOf('@');
        return at < 0 ? "" : peerHost.substring(0, at);
    }

    /** A name taken from $proxy_host or $http_host may carry a port: it is not part of the name. */
    private static String withoutPort(String name) {
        int from = 0;
        if (name.startsWith("[")) {
            int close = name.indexOf(']');
            from = close < 0 ? 0 : close;
        }
        int colon = name.indexOf(':', from);
        return colon < 0 ? name : name.substring(0, colon);
    }

    /** RFC 6066 forbids literal addresses in SNI; SNIHostName refuses what is not a host name. */
    private static boolean sniAllowed(String name) {
        if (name.isEmpty() || name.startsWith("[") || name.matches("[0-9.]+")) {
            return false;
        }
        try {
            new SNIHostName(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static SslContext context(ProxySsl ssl, ConnectionScope scope) throws IOException {
        ClientCertificate cert = ssl.certificate();
        Key key = new Key(ssl.verify(), cert == null ? List.of() : cert.files(scope),
                cert == null ? List.of() : cert.passwords(), ssl.protocols(), ssl.sessionReuse());
        SslContext known = CONTEXTS.get(key);
        if (known != null) {
            return known;
        }
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(TlsContexts.provider())
                .endpointIdentificationAlgorithm(null)
                .trustManager(new UpstreamCertificateCheck(ssl.verify()))
                // BoringSSL has no SSLv2 or SSLv3, which nginx still lets a list name
                .protocols(ssl.protocols().stream().filter(p -> p.startsWith("TLS")).toList());
        if (cert != null) {
            cert.apply(builder, scope);
        }
        SslContext context = builder.build();
        // Without BoringSSL the JDK's provider always offers a cached session.
        if (context instanceof ReferenceCountedOpenSslContext openSsl) {
            openSsl.sessionContext().setSessionCacheEnabled(ssl.sessionReuse());
        }
        SslContext raced = CONTEXTS.putIfAbsent(key, context);
        return raced == null ? context : raced;
    }

    /** The words of {@link UpstreamCertificateCheck} somewhere in a handshake's failure, else null. */
    public static String refusal(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof UpstreamCertificateCheck.Refused r) {
                return r.getMessage();
            }
            for (Throwable s : t.getSuppressed()) {
                if (s instanceof UpstreamCertificateCheck.Refused r) {
                    return r.getMessage();
                }
            }
        }
        return null;
    }
}
