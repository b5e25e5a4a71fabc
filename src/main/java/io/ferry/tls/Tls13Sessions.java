package io.ferry.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SimpleKeyManagerFactory;
import io.netty.internal.tcnative.SSL;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A session cache with ssl_session_tickets off, in TLS 1.3. OpenSSL resumes such sessions by
 * "stateful" tickets that name an entry of nginx's cache; BoringSSL resumes TLS 1.3 sessions by
 * tickets only, so a connection that settled on TLS 1.3 gets tickets under its server's own key
 * (which BoringSSL keeps per context, so per server, and never shares with another server): as
 * in nginx, the client resumes with the server that gave the session. TLS 1.2 keeps the cache by
 * session id and no tickets. The hook is the choice of the certificate, the first moment the
 * version is known and before the library looks at a ticket or decides to send one.
 */
final class Tls13Sessions {
    private Tls13Sessions() {
    }

    static boolean applies(Tls tls) {
        return TlsContexts.provider() == SslProvider.OPENSSL && !tls.sessions().tickets()
                && tls.sessions().cache() == TlsSessions.Cache.ON && tls.protocols().contains("TLSv1.3")
                && !tls.options().rejectHandshake();
    }

    static KeyManagerFactory keyManager(Tls tls) throws IOException {
        try {
            X509Certificate[] chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(tls.certificate())))
                    .toArray(X509Certificate[]::new);
            if (chain.length == 0) {
                throw new IOException("no certificate in \"" + tls.certificate() + "\"");
            }
            PrivateKey key = tls.options().decryptedKey() != null ? tls.options().decryptedKey()
                    : EncryptedKeys.read(tls.key(), List.of());
            char[] none = new char[0];
            KeyStore store = KeyStore.getInstance("JKS"); // as TlsContexts: no PBKDF2 rounds for a store in memory
            store.load(null, null);
            store.setKeyEntry("server", key, none, chain);
            KeyManagerFactory standard = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            standard.init(store, none);
            X509ExtendedKeyManager chosen = new ResumingKeyManager((X509ExtendedKeyManager) standard.getKeyManagers()[0]);
            return new SimpleKeyManagerFactory() {
                @Override
                protected void engineInit(KeyStore keyStore, char[] password) {
                }

                @Override
                protected void engineInit(ManagerFactoryParameters params) {
                }

                @Override
                protected KeyManager[] engineGetKeyManagers() {
                    return new KeyManager[] {chosen};
                }
            };
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load certificate \"" + tls.certificate() + "\" or key \"" + tls.key() + "\": "
                    + e.getMessage(), e);
        }
    }

    private static final class ResumingKeyManager extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager delegate;

        ResumingKeyManager(X509ExtendedKeyManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
                long ssl = openSsl.sslPointer();
                if (ssl != 0 && "TLSv1.3".equals(SSL.getVersion(ssl))) {
                    SSL.clearOptions(ssl, SSL.SSL_OP_NO_TICKET);
                }
            }
            return delegate.chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return delegate.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return delegate.getServerAliases(keyType, issuers);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return delegate.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }
    }
}
