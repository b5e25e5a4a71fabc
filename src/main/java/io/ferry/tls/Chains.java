package io.ferry.tls;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a client's chain as OpenSSL does: from the certificate up through the certificates it sent
 * and the configured ones, until a configured self-signed (root) certificate issued the last one.
 */
final class Chains {
    /** Far beyond any ssl_verify_depth in use; stops a loop of cross-signed certificates. */
    private static final int MAX = 32;

    private Chains() {
    }

    /**
     * Fills {@code path} (the client's certificate first, then intermediates, without the root) and
     * returns the root that ends it, or null when none does; {@code path} then ends where it stopped.
     */
    static X509Certificate build(X509Certificate[] sent, List<X509Certificate> trusted, List<X509Certificate> path) {
        List<X509Certificate> pool = new ArrayList<>();
        for (X509Certificate t : trusted) {
            if (!selfSigned(t)) {
                pool.add(t);
            }
        }
        pool.addAll(List.of(sent).subList(1, sent.length));
        X509Certificate current = sent[0];
        path.add(current);
        while (path.size() < MAX) {
            if (selfSigned(current) && trusted.contains(current)) {
                if (path.size() > 1) {
                    path.remove(path.size() - 1);
                }
                return current;
            }
            for (X509Certificate t : trusted) {
                if (selfSigned(t) && issued(t, current)) {
                    return t;
                }
            }
            X509Certificate next = null;
            for (X509Certificate c : pool) {
                if (!path.contains(c) && issued(c, current)) {
                    next = c;
                    break;
                }
            }
            if (next == null) {
                return null;
            }
            path.add(next);
            current = next;
        }
        return null;
    }

    static boolean selfSigned(X509Certificate c) {
        return issued(c, c);
    }

    private static boolean issued(X509Certificate issuer, X509Certificate c) {
        if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            c.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
