package io.ferry.tls.ocsp;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * ssl_stapling, ssl_stapling_file, ssl_stapling_responder and ssl_stapling_verify of a server.
 * {@code file}: a DER response stapled as it is, never fetched; {@code responder}: overrides the
 * certificate's Authority Information Access URI; {@code trusted}: ssl_trusted_certificate, where an
 * issuer missing from the chain is looked for and against which a response is verified.
 */
public record Stapling(boolean on, Path file, URI responder, boolean verify, List<X509Certificate> trusted) {

    public static final Stapling OFF = new Stapling(false, null, null, false, List.of());

    public static Stapling parse(Function<String, Directive> inherited, Function<String, Path> resolve)
            throws ConfException {
        Directive on = inherited.apply("ssl_stapling");
        Directive file = inherited.apply("ssl_stapling_file");
        Directive responder = inherited.apply("ssl_stapling_responder");
        Directive verify = inherited.apply("ssl_stapling_verify");
        Directive trusted = inherited.apply("ssl_trusted_certificate");
        boolean verifying = verify != null && Values.flag(verify);
        if (on == null || !Values.flag(on)) {
            return OFF;
        }
        Path filePath = null;
        if (file != null) {
            filePath = resolve.apply(file.args().get(0));
            if (!Files.isReadable(filePath)) {
                throw Values.error(file, "cannot open \"" + filePath + "\" for reading");
            }
        }
        return new Stapling(true, filePath, responder == null ? null : responder(responder),
                verifying,
                trusted == null ? List.of() : certificates(trusted, resolve.apply(trusted.args().get(0))));
    }

    /** nginx's ngx_ssl_stapling_responder: plain http only, the path defaulting to "/". */
    private static URI responder(Directive d) throws ConfException {
        String text = d.args().get(0);
        if (!text.regionMatches(true, 0, "http://", 0, 7)) {
            throw Values.error(d, "invalid URL prefix in OCSP responder \"" + text + "\" in \"ssl_stapling_responder\"");
        }
        try {
            URI uri = new URI(text);
            if (uri.getHost() == null) {
                throw Values.error(d, "no host in OCSP responder \"" + text + "\"");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw Values.error(d, "invalid OCSP responder \"" + text + "\": " + e.getReason());
        }
    }

    private static List<X509Certificate> certificates(Directive d, Path path) throws ConfException {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(path)))) {
                out.add((X509Certificate) c);
            }
            return List.copyOf(out);
        } catch (GeneralSecurityException | IOException e) {
            throw Values.error(d, "cannot load \"" + path + "\": " + e.getMessage());
        }
    }
}
