package io.ferry.proxy;

import io.ferry.conf.ConfException;
import io.ferry.conf.Context;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.tls.ClientVerify;
import io.ferry.variable.Template;
import java.util.List;
import java.util.Set;

/**
 * The proxy_ssl_* settings of a level, the TLS Ferry speaks to an upstream (http's proxy_pass
 * https://, stream's proxy_ssl on). {@code name} (proxy_ssl_name) is null for the proxied host;
 * {@code verify} (proxy_ssl_verify with _verify_depth, _trusted_certificate, _crl) is null when off;
 * {@code certificate} (proxy_ssl_certificate, _key, _password_file) is null when none is sent.
 */
public record ProxySsl(boolean serverName, Template name, ClientVerify verify, ClientCertificate certificate,
        List<String> protocols, boolean sessionReuse) {

    private static final Set<String> PROTOCOLS = Set.of("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    /** The rows shared by http's proxy and stream's proxy. */
    public static void directives(DirectiveRows rows, Set<Context> where) {
        for (String name : new String[] {"proxy_ssl_session_reuse", "proxy_ssl_server_name", "proxy_ssl_name",
                "proxy_ssl_verify", "proxy_ssl_verify_depth", "proxy_ssl_trusted_certificate", "proxy_ssl_crl",
                "proxy_ssl_certificate", "proxy_ssl_certificate_key", "proxy_ssl_password_file"}) {
            rows.one(name, where);
        }
        rows.add("proxy_ssl_protocols", where, 1, DirectiveRows.ANY, null, false);
    }

    /**
     * What a level with an upstream in TLS uses; files are read here, so -t reports them, as nginx
     * reads them only for a level that proxies to TLS.
     */
    public static ProxySsl parse(Level level) throws ConfException {
        Directive nameD = level.inherited("proxy_ssl_name");
        Template name = nameD == null ? null : level.template(nameD, nameD.args().get(0));
        ClientVerify verify = null;
        Directive verifyD = level.inherited("proxy_ssl_verify");
        if (verifyD != null && Values.flag(verifyD)) {
            if (level.inherited("proxy_ssl_trusted_certificate") == null) {
                throw Values.error(verifyD, "no proxy_ssl_trusted_certificate for proxy_ssl_verify");
            }
            // the client side's checks, with the proxy_ssl_ spellings of their directives
            verify = ClientVerify.parse(n -> n.equals("ssl_verify_client")
                    ? new Directive(n, List.of("on"), null, verifyD.file(), verifyD.line())
                    : n.equals("ssl_client_certificate") ? null : level.inherited("proxy_" + n),
                    f -> level.confPrefix().resolve(f), false);
        }
        List<String> protocols = List.of("TLSv1.2", "TLSv1.3");
        Directive p = level.inherited("proxy_ssl_protocols");
        if (p != null) {
            for (String proto : p.args()) {
                if (!PROTOCOLS.contains(proto)) {
                    throw Values.invalid(p, proto);
                }
            }
            protocols = List.copyOf(p.args());
        }
        return new ProxySsl(level.flag("proxy_ssl_server_name", false), name, verify, ClientCertificate.parse(level),
                protocols, level.flag("proxy_ssl_session_reuse", true));
    }
}
