package io.ferry.tls.ocsp;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * The OCSP request for one certificate and the checks nginx makes of the answer before stapling it
 * (ngx_ssl_stapling_ocsp_handler): a successful response, signed by an authorized responder when
 * ssl_stapling_verify is on, saying "good" for this certificate, and current.
 */
final class OcspResponses {
    /** OpenSSL's OCSP_check_validity leeway for clocks that disagree. */
    private static final Duration LEEWAY = Duration.ofMinutes(5);
    private static final String OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";

    private OcspResponses() {
    }

    static CertificateID id(X509Certificate cert, X509Certificate issuer) throws OcspFailure {
        try {
            DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
            return new CertificateID(digests.get(CertificateID.HASH_SHA1), new JcaX509CertificateHolder(issuer),
                    cert.getSerialNumber());
        } catch (OperatorCreationException | OCSPException | GeneralSecurityException e) {
            throw new OcspFailure("cannot create OCSP request: " + e.getMessage());
        }
    }

    static byte[] request(CertificateID id) throws OcspFailure {
        try {
            return new OCSPReqBuilder().addRequest(id).build().getEncoded();
        } catch (OCSPException | IOException e) {
            throw new OcspFailure("cannot create OCSP request: " + e.getMessage());
        }
    }

    /** Checks a response and returns its nextUpdate, or null when it has none. */
    static Instant check(byte[] der, CertificateID id, X509Certificate issuer, boolean verify,
            List<X509Certificate> trusted, Instant now) throws OcspFailure {
        BasicOCSPResp basic;
        try {
            OCSPResp resp = new OCSPResp(der);
            if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
                throw new OcspFailure("OCSP response not successful (" + resp.getStatus() + ")");
            }
            basic = (BasicOCSPResp) resp.getResponseObject();
        } catch (IOException | OCSPException | ClassCastException e) {
            throw new OcspFailure("d2i_OCSP_RESPONSE() failed: " + e.getMessage());
        }
        if (basic == null) {
            throw new OcspFailure("OCSP response has no basic response");
        }
        if (verify) {
            verify(basic, issuer, trusted);
        }
        SingleResp single = null;
        for (SingleResp r : basic.getResponses()) {
            if (r.getCertID().equals(id)) {
                single = r;
            }
        }
        if (single == null) {
            throw new OcspFailure("certificate status not found in the OCSP response");
        }
        if (single.getCertStatus() != null) {
            String status = single.getCertStatus() instanceof RevokedStatus ? "revoked" : "unknown";
            throw new OcspFailure("certificate status \"" + status + "\" in the OCSP response");
        }
        Date next = single.getNextUpdate();
        if (single.getThisUpdate().toInstant().isAfter(now.plus(LEEWAY))
                || next != null && next.toInstant().isBefore(now.minus(LEEWAY))) {
            throw new OcspFailure("OCSP_check_validity() failed: status not current");
        }
        return next == null ? null : next.toInstant();
    }

    /**
     * RFC 6960's authorized responders, as OpenSSL's OCSP_basic_verify sees them: the issuer itself, or
     * a certificate the issuer signed for OCSP signing; the issuer must be trusted (ssl_trusted_certificate
     * holds it or the certificate that signed it).
     */
    private static void verify(BasicOCSPResp basic, X509Certificate issuer, List<X509Certificate> trusted)
            throws OcspFailure {
        try {
            X509Certificate signer = signer(basic, issuer);
            if (signer == null) {
                throw new OcspFailure("OCSP_basic_verify() failed: signer certificate not found");
            }
            if (!basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signer.getPublicKey()))) {
                throw new OcspFailure("OCSP_basic_verify() failed: signature failure");
            }
            if (!signer.equals(issuer) && !delegated(signer, issuer)) {
                throw new OcspFailure("OCSP_basic_verify() failed: root ca not trusted");
            }
            if (!trusted.contains(issuer) && trusted.stream().noneMatch(t -> signs(t, issuer))) {
                throw new OcspFailure("OCSP_basic_verify() failed: unable to get local issuer certificate");
            }
        } catch (OperatorCreationException | OCSPException | GeneralSecurityException e) {
            throw new OcspFailure("OCSP_basic_verify() failed: " + e.getMessage());
        }
    }

    private static X509Certificate signer(BasicOCSPResp basic, X509Certificate issuer)
            throws GeneralSecurityException, OperatorCreationException, OCSPException {
        List<X509Certificate> candidates = new ArrayList<>();
        candidates.add(issuer);
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (X509CertificateHolder h : basic.getCerts()) {
            candidates.add(converter.getCertificate(h));
        }
        RespID wanted = basic.getResponderId();
        DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
        for (X509Certificate c : candidates) {
            JcaX509CertificateHolder holder = new JcaX509CertificateHolder(c);
            if (wanted.equals(new RespID(X500Name.getInstance(holder.getSubject())))
                    || wanted.equals(new RespID(holder.getSubjectPublicKeyInfo(), digests.get(RespID.HASH_SHA1)))) {
                return c;
            }
        }
        return null;
    }

    private static boolean delegated(X509Certificate signer, X509Certificate issuer) throws GeneralSecurityException {
        List<String> usages = signer.getExtendedKeyUsage();
        return usages != null && usages.contains(OCSP_SIGNING) && signs(issuer, signer);
    }

    private static boolean signs(X509Certificate parent, X509Certificate child) {
        if (!parent.getSubjectX500Principal().equals(child.getIssuerX500Principal())) {
            return false;
        }
        try {
            child.verify(parent.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Why a response was not stapled, in nginx's words where it has them. */
    static final class OcspFailure extends Exception {
        OcspFailure(String message) {
            super(message, null, false, false);
        }
    }
}
