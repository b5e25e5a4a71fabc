package io.ferry.tls;

import io.ferry.model.ServerName;
import io.ferry.model.VirtualServer;
import io.ferry.tls.ocsp.OcspStaple;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.internal.tcnative.SSL;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.io.IOException;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Server SslContexts from ssl_* settings (BoringSSL when the native library loads, the JDK
 * otherwise), and the SNI mapping of one listening socket: host name to its server's context.
 */
public final class TlsContexts {
    private TlsContexts() {
    }

    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /**
     * What -V reports as the TLS library: the artifact Ferry links, as it is named. Its features are Ferry's
     * (several certificates, OCSP stapling), not those of nginx built with bare BoringSSL, which lacks them.
     */
    public static String libraryName() {
        return OpenSsl.isAvailable() ? "netty-tcnative-boringssl-static " + SSL.class.getPackage().getImplementationVersion()
                : "JDK " + System.getProperty("java.version");
    }

    public static SslContext forServer(Tls tls) throws IOException {
        return forServer(tls, List.of());
    }

    /** {@code alpn}: the application protocols offered to clients, most preferred first (none: no ALPN). */
    static SslContext forServer(Tls tls, List<String> alpn) throws IOException {
        if (willSelfSign(tls)) {
            SelfSignedCertificates.writeDefault(tls.certificate(), tls.key());
        }
        return build(tls, alpn);
    }

    /** Loads the certificate and key as a start would, without creating a self-signed pair. */
    public static void check(Tls tls) throws IOException {
        if (tls.certificate() != null && !willSelfSign(tls)) {
            build(tls, List.of());
        }
    }

    private static boolean willSelfSign(Tls tls) {
        return tls.selfSigned() && !Files.exists(tls.certificate()) && !Files.exists(tls.key());
    }

    private static SslContext build(Tls tls, List<String> alpn) throws IOException {
        try {
            TlsSessions sessions = tls.sessions();
            SslContextBuilder builder = PemFiles.serverBuilder(tls.certificate(), tls.key(), tls.options().decryptedKey())
                    .sslProvider(provider())
                    .protocols(tls.protocols().stream().filter(TlsContexts::supported).toArray(String[]::new))
                    .ciphers(CipherList.explicit(tls.ciphers()), SupportedCipherSuiteFilter.INSTANCE)
                    .sessionTimeout(sessions.timeoutSeconds())
                    // Netty hands the key to BoringSSL through an in-memory key store. PKCS12's, the JDK's
                    // default, wraps and unwraps it with 10,000 rounds of PBKDF2 each way, a tenth of a second
                    // or more of every start; JKS's wrapping is a few hashes, and nothing is ever written.
                    .keyStoreType("JKS");
            if (Tls13Sessions.applies(tls)) {
                builder.keyManager(Tls13Sessions.keyManager(tls));
            }
            if (!alpn.isEmpty()) {
                builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
            }
            if (sessions.cacheSize() > 0) {
                builder.sessionCacheSize(sessions.cacheSize());
            }
            if (tls.options().curves() != null && provider() == SslProvider.OPENSSL) {
                builder.option(OpenSslContextOption.GROUPS, tls.options().curves().toArray(String[]::new));
            }
            if (tls.clientVerify().enabled()) {
                builder.clientAuth(ClientAuth.OPTIONAL).trustManager(acceptingAll(tls.clientVerify().sent()));
            } else {
                // No certificate is asked for, so none is checked. Without a manager Netty would load the JDK's
                // whole CA store, at start, to name those authorities in a certificate request never sent.
                builder.trustManager(acceptingAll(List.of()));
            }
            // OcspStaple links BouncyCastle, a signed jar: its signature check costs start-up time, and no
            // start-up archive can keep its classes.
            Optional<OcspStaple> staple = tls.stapling().on() ? OcspStaple.of(tls.stapling(), tls.certificate())
                    : Optional.empty();
            Credentials several = tls.certificates().size() > 1 && provider() == SslProvider.OPENSSL
                    ? Credentials.of(tls, staple) : null;
            builder.enableOcsp(several != null ? several.stapling() : staple.isPresent());
            SslContext context = builder.build();
            return context instanceof ReferenceCountedOpenSslContext openSsl ? configure(openSsl, tls, staple, several)
                    : context;
        } catch (IllegalArgumentException | javax.net.ssl.SSLException e) {
            throw new IOException("cannot load certificate \"" + tls.certificate() + "\" or key \"" + tls.key() + "\": "
                    + e.getMessage(), e);
        } catch (java.nio.file.FileSystemException e) {
            // the JDK's message is the bare path; say what failed on it
            throw new IOException("cannot read \"" + e.getFile() + "\" (" + e.getClass().getSimpleName()
                    + (e.getReason() == null ? "" : ": " + e.getReason()) + ")", e);
        }
    }

    /**
     * What SslContextBuilder has no words for. The cache mode is the native context's; tickets and the
     * cipher preference are options of each connection, set as its engine is made, before its
     * handshake. With the cache off or none a session can still resume by ticket, as in nginx. Netty
     * makes every context prefer the server's ciphers; nginx's default lets the client's order win.
     */
    private static SslContext configure(ReferenceCountedOpenSslContext context, Tls tls, Optional<OcspStaple> staple,
            Credentials several) {
        TlsSessions sessions = tls.sessions();
        context.sessionContext().setSessionCacheEnabled(sessions.cache() == TlsSessions.Cache.ON);
        Runnable ticketKeys = TicketKeys.install(context, tls);
        if (sessions.tickets() && tls.preferServerCiphers() && ticketKeys == null && staple.isEmpty() && several == null) {
            return context;
        }
        return new DelegatingSslContext(context) {
            @Override
            protected void initEngine(SSLEngine engine) {
                ReferenceCountedOpenSslEngine openSsl = (ReferenceCountedOpenSslEngine) engine;
                if (ticketKeys != null) {
                    ticketKeys.run();
                }
                synchronized (openSsl) {
                    if (!sessions.tickets()) {
                        SSL.setOptions(openSsl.sslPointer(), SSL.SSL_OP_NO_TICKET);
                    }
                    if (!tls.preferServerCiphers()) {
                        SSL.clearOptions(openSsl.sslPointer(), SSL.SSL_OP_CIPHER_SERVER_PREFERENCE);
                    }
                    if (several != null) {
                        several.addTo(openSsl);
                    } else {
                        staple.ifPresent(s -> s.apply(openSsl));
                    }
                }
            }
        };
    }

    /**
     * Takes any client certificate, as nginx's verify callback does: the verdict waits for the request.
     * The accepted issuers are the CA names the server sends (ssl_client_certificate).
     */
    private static X509ExtendedTrustManager acceptingAll(List<X509Certificate> sent) {
        X509Certificate[] issuers = sent.toArray(X509Certificate[]::new);
        return new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return issuers.clone();
            }
        };
    }

    /** SSLv2/SSLv3 are accepted in the configuration for compatibility but never enabled. */
    private static boolean supported(String protocol) {
        return protocol.startsWith("TLS");
    }

    /** nginx's ALPN lists for HTTP: NGX_HTTP_V2_ALPN_PROTO before NGX_HTTP_ALPN_PROTOS where HTTP/2 is on. */
    private static final List<String> HTTP_ALPN = List.of("http/1.1", "http/1.0", "http/0.9");
    private static final List<String> H2_ALPN = List.of("h2", "http/1.1", "http/1.0", "http/0.9");

    /**
     * One context per server (shared by servers with the same certificate files and HTTP/2 switch); names the
     * servers declare map to their context, anything else gets the default server's. {@code http2} says
     * which servers offer "h2" by ALPN.
     */
    public static Mapping<String, SslContext> sniMapping(List<VirtualServer> servers, VirtualServer defaultServer,
                                                         java.util.function.Predicate<VirtualServer> http2)
            throws IOException {
        Map<List<Object>, SslContext> built = new HashMap<>();
        List<VirtualServer> ordered = new ArrayList<>(servers);
        ordered.remove(defaultServer);
        ordered.add(0, defaultServer);
        DomainWildcardMappingBuilder<SslContext> builder = null;
        for (VirtualServer vs : ordered) {
            if (vs.tls() == null || vs.tls().certificate() == null && !vs.tls().options().rejectHandshake()) {
                continue;
            }
            List<String> alpn = http2.test(vs) ? H2_ALPN : HTTP_ALPN;
            List<Object> key = List.of(vs.tls(), alpn);
            SslContext ctx = vs.tls().options().rejectHandshake() ? RejectingSniHandler.REJECT : built.get(key);
            if (ctx == null) {
                ctx = forServer(vs.tls(), alpn);
                built.put(key, ctx);
            }
            if (builder == null) {
                builder = new DomainWildcardMappingBuilder<>(ctx);
            }
            for (ServerName name : vs.names()) {
                switch (name.kind()) {
                    case EXACT -> {
                        if (!name.text().isEmpty()) {
                            builder.add(name.text(), ctx);
                        }
                    }
                    case LEADING_WILDCARD -> builder.add(name.text().startsWith(".") ? "*" + name.text() : name.text(), ctx);
                    default -> {
                        // trailing wildcards and regexes cannot be expressed as SNI patterns; the default applies
                    }
                }
            }
        }
        if (builder == null) {
            throw new IOException("no server with ssl_certificate on an ssl listener");
        }
        return builder.build();
    }
}
