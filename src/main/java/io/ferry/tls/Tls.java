package io.ferry.tls;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.model.Listen;
import io.ferry.model.VirtualServer;
import io.ferry.tls.ocsp.Stapling;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ssl_* settings of a server. {@code selfSigned} (a Ferry directive) creates the certificate and key
 * at the configured paths on first start when they do not exist. {@code clientVerify} is
 * {@link ClientVerify#OFF} where client certificates are not asked for (and in stream). A server
 * without ssl_certificate has no certificate, key, protocols or ciphers: SNI leaves such a server
 * the context of its address's default server, as in nginx. {@code preferServerCiphers}: the
 * server's order of ciphers wins over the client's (ssl_prefer_server_ciphers). {@code stapling}: OCSP
 * stapling ({@link Stapling#OFF} in stream). {@code certificates}: every ssl_certificate with its key, in order, the first being
 * {@code certificate} and {@code key}; a handshake gets the first one its client supports.
 */
public record Tls(Path certificate, Path key, List<String> protocols, String ciphers, boolean selfSigned,
        TlsSessions sessions, ClientVerify clientVerify, boolean preferServerCiphers, TlsOptions options,
        Stapling stapling, List<ServerCertificate> certificates) {

    /** A server with one certificate at most. */
    public Tls(Path certificate, Path key, List<String> protocols, String ciphers, boolean selfSigned,
            TlsSessions sessions, ClientVerify clientVerify, boolean preferServerCiphers, TlsOptions options,
            Stapling stapling) {
        this(certificate, key, protocols, ciphers, selfSigned, sessions, clientVerify, preferServerCiphers, options,
                stapling, certificate == null ? List.of()
                        : List.of(new ServerCertificate(certificate, key, options.decryptedKey())));
    }

    public static final String NO_CERTIFICATE = "no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive";

    /**
     * nginx's check: a TLS address's default server (the one that answers without SNI) needs a
     * certificate, unless it rejects handshakes.
     */
    public static void requireDefaultCertificates(List<VirtualServer> servers) throws ConfException {
        Map<String, VirtualServer> defaults = new HashMap<>();
        Set<String> secure = new HashSet<>();
        for (VirtualServer vs : servers) {
            for (Listen l : vs.listens()) {
                if (l.ssl()) {
                    secure.add(l.socketKey());
                }
                if (l.defaultServer()) {
                    defaults.put(l.socketKey(), vs);
                } else {
                    defaults.putIfAbsent(l.socketKey(), vs);
                }
            }
        }
        for (String socket : secure) {
            VirtualServer vs = defaults.get(socket);
            if (vs.tls() == null || vs.tls().certificate() == null && !vs.tls().options().rejectHandshake()) {
                throw new ConfException(NO_CERTIFICATE, vs.file(), vs.line());
            }
        }
    }

    /**
     * The legacy {@code ssl on|off}: on makes every listen of the server TLS, as nginx did before 1.25,
     * with nginx's warning on standard error, where nginx writes what it finds while reading its configuration.
     */
    public static boolean legacySwitch(Directive d) throws ConfException {
        boolean on = Values.flag(d);
        System.err.println("ferry: [warn] the \"ssl\" directive is deprecated, use the \"listen ... ssl\" directive instead in "
                + d.file() + ":" + d.line());
        return on;
    }

    /**
     * One ssl_certificate and the ssl_certificate_key of the same rank; {@code decryptedKey} is the key
     * opened with ssl_password_file, null without one.
     */
    public record ServerCertificate(Path certificate, Path key, java.security.PrivateKey decryptedKey) {
    }
}
