package io.ferry.tls;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CRL;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * ssl_verify_client, ssl_client_certificate, ssl_trusted_certificate, ssl_verify_depth and ssl_crl of a
 * server. As in nginx the handshake never fails for the client's certificate: it is asked for and
 * taken whatever it is, and checked when a request arrives ({@link #refusal}) or $ssl_client_verify
 * is read. {@code sent} is the CA list named to clients; {@code trusted} adds ssl_trusted_certificate.
 */
public record ClientVerify(Mode mode, List<X509Certificate> sent, List<X509Certificate> trusted, int depth,
        List<CRL> crls) {

    public enum Mode { OFF, ON, OPTIONAL, OPTIONAL_NO_CA }

    public static final ClientVerify OFF = new ClientVerify(Mode.OFF, List.of(), List.of(), 1, List.of());

    /** Errors optional_no_ca forgives: those of a certificate whose issuer is not known (nginx's ngx_ssl_verify_error_optional). */
    private static final Set<String> NO_CA = Set.of(Reason.SELF_SIGNED, Reason.SELF_SIGNED_IN_CHAIN, Reason.NO_ISSUER);

    private static final AttributeKey<Verdict> VERDICT = AttributeKey.valueOf("ferry.clientVerify");

    private record Verdict(ClientVerify by, String result) {
    }

    /**
     * {@code certified}: the server has ssl_certificate. nginx checks the CA settings of such a server
     * only; one without still refuses requests by its mode.
     */
    public static ClientVerify parse(Function<String, Directive> inherited, Function<String, Path> resolve,
            boolean certified) throws ConfException {
        Directive v = inherited.apply("ssl_verify_client");
        Mode mode = Mode.OFF;
        if (v != null) {
            mode = switch (v.args().get(0)) {
                case "on" -> Mode.ON;
                case "off" -> Mode.OFF;
                case "optional" -> Mode.OPTIONAL;
                case "optional_no_ca" -> Mode.OPTIONAL_NO_CA;
                default -> throw Values.invalid(v, v.args().get(0));
            };
        }
        Directive depthDirective = inherited.apply("ssl_verify_depth");
        int depth = depthDirective == null ? 1 : Values.between(depthDirective, 0, Integer.MAX_VALUE);
        Directive client = inherited.apply("ssl_client_certificate");
        Directive trustedDirective = inherited.apply("ssl_trusted_certificate");
        Directive crl = inherited.apply("ssl_crl");
        if (mode == Mode.OFF) {
            return OFF;
        }
        if (certified && mode != Mode.OPTIONAL_NO_CA && client == null && trustedDirective == null) {
            throw Values.error(v, "no ssl_client_certificate or ssl_trusted_certificate for ssl_verify_client");
        }
        List<X509Certificate> sent = client == null ? List.of() : certificates(client, resolve);
        Set<X509Certificate> trusted = new LinkedHashSet<>(sent);
        if (trustedDirective != null) {
            trusted.addAll(certificates(trustedDirective, resolve));
        }
        List<CRL> crls = new ArrayList<>();
        if (crl != null) {
            read(crl, resolve, f -> f.generateCRLs(in(crl, resolve))).forEach(c -> crls.add((CRL) c));
        }
        return new ClientVerify(mode, List.copyOf(new LinkedHashSet<>(sent)), List.copyOf(trusted), depth, List.copyOf(crls));
    }

    private static List<X509Certificate> certificates(Directive d, Function<String, Path> resolve) throws ConfException {
        List<X509Certificate> out = new ArrayList<>();
        for (Object c : read(d, resolve, f -> f.generateCertificates(in(d, resolve)))) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    private interface Reader {
        Collection<?> read(CertificateFactory f) throws GeneralSecurityException, IOException;
    }

    private static Collection<?> read(Directive d, Function<String, Path> resolve, Reader reader) throws ConfException {
        try {
            return reader.read(CertificateFactory.getInstance("X.509"));
        } catch (GeneralSecurityException | IOException e) {
            throw Values.error(d, "cannot load \"" + resolve.apply(d.args().get(0)) + "\": " + e.getMessage());
        }
    }

    private static InputStream in(Directive d, Function<String, Path> resolve) throws IOException {
        return new java.io.ByteArrayInputStream(Files.readAllBytes(resolve.apply(d.args().get(0))));
    }

    public boolean enabled() {
        return mode != Mode.OFF;
    }

    /**
     * nginx's ngx_http_process_request check: 495 for a certificate that failed (unless optional_no_ca
     * forgives the reason), 496 for none where one is required; 0 to go on.
     */
    public int refusal(Channel channel, SSLEngine engine) {
        if (!enabled()) {
            return 0;
        }
        String result = result(channel, engine);
        if (result.startsWith("FAILED:") && !(mode == Mode.OPTIONAL_NO_CA && NO_CA.contains(result.substring(7)))) {
            return 495;
        }
        return mode == Mode.ON && result.equals("NONE") ? 496 : 0;
    }

    /** $ssl_client_verify: NONE, SUCCESS or FAILED:reason (OpenSSL's words), once per connection. */
    public String result(Channel channel, SSLEngine engine) {
        Verdict known = channel.attr(VERDICT).get();
        if (known != null && known.by() == this) {
            return known.result();
        }
        String result = enabled() ? verify(peer(engine)) : "NONE";
        channel.attr(VERDICT).set(new Verdict(this, result));
        return result;
    }

    static X509Certificate[] peer(SSLEngine engine) {
        try {
            return Arrays.stream(engine.getSession().getPeerCertificates())
                    .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        } catch (SSLPeerUnverifiedException | ClassCastException e) {
            return new X509Certificate[0];
        }
    }

    public String verify(X509Certificate[] chain) {
        if (chain.length == 0) {
            return "NONE";
        }
        List<X509Certificate> path = new ArrayList<>();
        X509Certificate anchor = Chains.build(chain, trusted, path);
        if (anchor == null) {
            X509Certificate last = path.get(path.size() - 1);
            return "FAILED:" + (!Chains.selfSigned(last) ? Reason.NO_ISSUER
                    : path.size() == 1 ? Reason.SELF_SIGNED : Reason.SELF_SIGNED_IN_CHAIN);
        }
        if (path.size() - 1 > depth) {
            return "FAILED:certificate chain too long";
        }
        try {
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            params.setRevocationEnabled(!crls.isEmpty());
            if (!crls.isEmpty()) {
                params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
            }
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            return "SUCCESS";
        } catch (CertPathValidatorException e) {
            return "FAILED:" + Reason.of(e);
        } catch (GeneralSecurityException e) {
            return "FAILED:" + Reason.UNSPECIFIED;
        }
    }

    /** OpenSSL's X509_verify_cert_error_string for what Java's validator reports. */
    private static final class Reason {
        static final String SELF_SIGNED = "self-signed certificate";
        static final String SELF_SIGNED_IN_CHAIN = "self-signed certificate in certificate chain";
        static final String NO_ISSUER = "unable to get local issuer certificate";
        static final String UNSPECIFIED = "unspecified certificate verification error";

        static String of(CertPathValidatorException e) {
            if (!(e.getReason() instanceof CertPathValidatorException.BasicReason basic)) {
                return e.getReason() == java.security.cert.PKIXReason.PATH_TOO_LONG ? "certificate chain too long"
                        : e.getReason() == java.security.cert.PKIXReason.NOT_CA_CERT ? "invalid CA certificate"
                        : UNSPECIFIED;
            }
            return switch (basic) {
                case EXPIRED -> "certificate has expired";
                case NOT_YET_VALID -> "certificate is not yet valid";
                case REVOKED -> "certificate revoked";
                case UNDETERMINED_REVOCATION_STATUS -> "unable to get certificate CRL";
                case INVALID_SIGNATURE -> "certificate signature failure";
                default -> UNSPECIFIED;
            };
        }
    }
}
