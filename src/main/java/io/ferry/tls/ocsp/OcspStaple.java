package io.ferry.tls.ocsp;

import io.ferry.tls.ocsp.OcspResponses.OcspFailure;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCSP response stapled to one certificate's handshakes, as nginx keeps it: fetched in the
 * background when a handshake finds it due (so the first handshakes go without), stapled while its
 * nextUpdate has not passed, fetched again five minutes before then or within the hour, and after a
 * failure five minutes later, keeping the last good response meanwhile. An ssl_stapling_file
 * response is stapled as it is, for ever.
 */
public final class OcspStaple {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    private static final Duration RETRY = Duration.ofMinutes(5);
    private static final Duration MOST = Duration.ofHours(1);

    private final Path certificate;
    private final URI request;
    private final CertificateID id;
    private final X509Certificate issuer;
    private final Stapling settings;

    private volatile byte[] staple;
    private volatile Instant valid = Instant.MAX;
    private Instant refresh = Instant.MIN;
    private boolean loading;

    private OcspStaple(Path certificate, URI request, CertificateID id, X509Certificate issuer, Stapling settings) {
        this.certificate = certificate;
        this.request = request;
        this.id = id;
        this.issuer = issuer;
        this.settings = settings;
    }

    /**
     * The staple of a server certificate, or empty where stapling is off or cannot work, which nginx
     * reports and starts without (no issuer, no responder).
     */
    public static Optional<OcspStaple> of(Stapling settings, Path certificate) throws IOException {
        if (!settings.on()) {
            return Optional.empty();
        }
        if (!OpenSsl.isOcspSupported()) {
            LOG.warn("\"ssl_stapling\" ignored, not supported without the native TLS library");
            return Optional.empty();
        }
        if (settings.file() != null) {
            OcspStaple fixed = new OcspStaple(certificate, null, null, null, settings);
            fixed.staple = Files.readAllBytes(settings.file());
            try {
                new OCSPResp(fixed.staple);
            } catch (IOException e) {
                throw new IOException("d2i_OCSP_RESPONSE_bio(\"" + settings.file() + "\") failed: " + e.getMessage(), e);
            }
            return Optional.of(fixed);
        }
        List<X509Certificate> chain = chain(certificate);
        if (chain.isEmpty()) {
            return Optional.empty();
        }
        X509Certificate cert = chain.get(0);
        X509Certificate issuer = issuer(cert, chain, settings.trusted());
        if (issuer == null) {
            LOG.warn("\"ssl_stapling\" ignored, issuer certificate not found for certificate \"{}\"", certificate);
            return Optional.empty();
        }
        URI responder = settings.responder() != null ? settings.responder() : responder(cert);
        if (responder == null) {
            LOG.warn("\"ssl_stapling\" ignored, no OCSP responder URL in the certificate \"{}\"", certificate);
            return Optional.empty();
        }
        if (!"http".equalsIgnoreCase(responder.getScheme())) {
            LOG.warn("\"ssl_stapling\" ignored, invalid URL prefix in OCSP responder \"{}\" in the certificate \"{}\"",
                    responder, certificate);
            return Optional.empty();
        }
        try {
            CertificateID id = OcspResponses.id(cert, issuer);
            return Optional.of(new OcspStaple(certificate, requestUri(responder, OcspResponses.request(id)), id, issuer,
                    settings));
        } catch (OcspFailure e) {
            throw new IOException(e.getMessage());
        }
    }

    /** Staples the current response to a handshake about to start, and starts a fetch when one is due. */
    public void apply(ReferenceCountedOpenSslEngine engine) {
        byte[] current = current();
        if (current != null) {
            engine.setOcspResponse(current);
        }
    }

    /** The response to staple now, null when none is valid; starts a fetch when one is due. */
    public byte[] current() {
        Instant now = Instant.now();
        byte[] current = staple;
        if (request != null) {
            refreshIfDue(now);
        }
        return current != null && !valid.isBefore(now) ? current : null;
    }

    private void refreshIfDue(Instant now) {
        synchronized (this) {
            if (loading || refresh.isAfter(now)) {
                return;
            }
            loading = true;
        }
        OcspFetch.get(request).whenComplete((body, error) -> {
            Instant at = Instant.now();
            try {
                if (error != null) {
                    throw error instanceof OcspFailure failure ? failure : new OcspFailure(error.toString());
                }
                Instant next = OcspResponses.check(body, id, issuer, settings.verify(), settings.trusted(), at);
                staple = body;
                valid = next == null ? Instant.MAX : next;
                Instant soon = valid.minus(RETRY).isBefore(at.plus(MOST)) ? valid.minus(RETRY) : at.plus(MOST);
                done(soon.isAfter(at.plus(RETRY)) ? soon : at.plus(RETRY));
            } catch (OcspFailure e) {
                LOG.error("{} while requesting certificate status, responder: {}, certificate: \"{}\"", e.getMessage(),
                        request.getHost(), certificate);
                done(at.plus(RETRY));
            }
        });
    }

    private synchronized void done(Instant next) {
        refresh = next;
        loading = false;
    }

    /** GET with the request in the path, base64 and escaped, as nginx asks (RFC 6960, A.1). */
    private static URI requestUri(URI responder, byte[] der) {
        String path = responder.getRawPath() == null || responder.getRawPath().isEmpty() ? "/" : responder.getRawPath();
        String encoded = URLEncoder.encode(Base64.getEncoder().encodeToString(der), StandardCharsets.US_ASCII);
        String authority = responder.getRawAuthority();
        return URI.create("http://" + authority + path + (path.endsWith("/") ? "" : "/") + encoded);
    }

    private static List<X509Certificate> chain(Path certificate) throws IOException {
        try (InputStream in = Files.newInputStream(certificate)) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (CertificateException e) {
            throw new IOException("cannot load certificate \"" + certificate + "\": " + e.getMessage(), e);
        }
    }

    /** The certificate's own issuer in its chain, else in ssl_trusted_certificate. */
    private static X509Certificate issuer(X509Certificate cert, List<X509Certificate> chain, List<X509Certificate> trusted) {
        for (List<X509Certificate> where : List.of(chain.subList(1, chain.size()), trusted)) {
            for (X509Certificate c : where) {
                if (c.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
                    return c;
                }
            }
        }
        return null;
    }

    /** The first OCSP URI of the certificate's Authority Information Access. */
    private static URI responder(X509Certificate cert) {
        byte[] extension = cert.getExtensionValue(Extension.authorityInfoAccess.getId());
        if (extension == null) {
            return null;
        }
        try {
            AuthorityInformationAccess aia = AuthorityInformationAccess.getInstance(
                    ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(extension).getOctets()));
            for (AccessDescription d : aia.getAccessDescriptions()) {
                if (d.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
                        && d.getAccessLocation().getTagNo() == GeneralName.uniformResourceIdentifier) {
                    return URI.create(d.getAccessLocation().getName().toString());
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("cannot read the Authority Information Access of \"{}\": {}", cert.getSubjectX500Principal(),
                    e.getMessage());
        }
        return null;
    }
}
