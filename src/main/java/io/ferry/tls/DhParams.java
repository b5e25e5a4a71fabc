package io.ferry.tls;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.DHParameter;

/**
 * ssl_dhparam. BoringSSL has no finite-field DHE suites, so the parameters are never used; the file is
 * still read and checked, so a configuration that nginx would refuse is refused here too.
 */
public final class DhParams {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN (?:X9\\.42 )?DH PARAMETERS-----\\s*([A-Za-z0-9+/=\\s]+?)-----END (?:X9\\.42 )?DH PARAMETERS-----");

    private DhParams() {
    }

    public static void check(Directive d, Path file) throws ConfException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw Values.error(d, "BIO_new_file(\"" + file + "\") failed (No such file or directory)");
        }
        Matcher m = PEM.matcher(text);
        try {
            if (m.find()) {
                DHParameter p = DHParameter.getInstance(Base64.getMimeDecoder().decode(m.group(1)));
                if (p.getP().signum() > 0 && p.getG().signum() > 0) {
                    return;
                }
            }
        } catch (IllegalArgumentException e) {
            // reported below as nginx reports an unreadable file
        }
        throw Values.error(d, "PEM_read_bio_DHparams(\"" + file + "\") failed");
    }
}
