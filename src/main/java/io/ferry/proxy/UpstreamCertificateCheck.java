package io.ferry.proxy;

import io.ferry.tls.ClientVerify;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * proxy_ssl_verify: an upstream's chain is checked against proxy_ssl_trusted_certificate (depth, CRL)
 * as a client's is, then its names against proxy_ssl_name as OpenSSL's X509_check_host does. Every
 * certificate passes when verification is off, as in nginx.
 */
final class UpstreamCertificateCheck extends X509ExtendedTrustManager {
    /** OpenSSL's numbers for the reasons a chain fails, as nginx's log line prints them. */
    private static final Map<String, Integer> CODES = Map.ofEntries(Map.entry("certificate is not yet valid", 9),
            Map.entry("certificate has expired", 10), Map.entry("self-signed certificate", 18),
            Map.entry("self-signed certificate in certificate chain", 19),
            Map.entry("unable to get local issuer certificate", 20), Map.entry("certificate chain too long", 22),
            Map.entry("certificate revoked", 23), Map.entry("invalid CA certificate", 24),
            Map.entry("unable to get certificate CRL", 3), Map.entry("certificate signature failure", 7));

    /** Why an upstream's certificate was refused, in nginx's words. */
    static final class Refused extends CertificateException {
        Refused(String message) {
            super(message);
        }
    }

    private final ClientVerify verify;

    UpstreamCertificateCheck(ClientVerify verify) {
        this.verify = verify;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        if (verify == null) {
            return;
        }
        String result = verify.verify(chain);
        if (!result.equals("SUCCESS")) {
            String reason = result.startsWith("FAILED:") ? result.substring(7) : result;
            throw new Refused("upstream SSL certificate verify error: (" + CODES.getOrDefault(reason, 1) + ":" + reason + ")");
        }
        String name = UpstreamTls.verifiedName(engine.getPeerHost());
        if (!matches(chain[0], name)) {
            throw new Refused("upstream SSL certificate does not match \"" + name + "\"");
        }
    }

    /** X509_check_host: the DNS names of subjectAltName, or the subject's common names when it has none. */
    static boolean matches(X509Certificate cert, String name) {
        String host = name.toLowerCase(Locale.ROOT);
        boolean anyDns = false;
        try {
            if (cert.getSubjectAlternativeNames() != null) {
                for (List<?> san : cert.getSubjectAlternativeNames()) {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        anyDns = true;
                        if (matches(String.valueOf(san.get(1)), host)) {
                            return true;
                        }
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        if (anyDns) {
            return false;
        }
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && matches(String.valueOf(rdn.getValue()), host)) {
                    return true;
                }
            }
        } catch (InvalidNameException e) {
            return false;
        }
        return false;
    }

    /** A wildcard stands for the whole leftmost label, and only there. */
    private static boolean matches(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT);
        if (p.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot).equals(p.substring(1));
        }
        return p.equals(host);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("upstream TLS runs on engines only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("upstream TLS runs on engines only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("not a server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("not a server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("not a server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
