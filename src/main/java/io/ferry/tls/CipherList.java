package io.ferry.tls;

import io.netty.handler.ssl.CipherSuiteConverter;
import java.util.ArrayList;
import java.util.List;

/**
 * ssl_ciphers in OpenSSL's syntax. Concrete suite names (OpenSSL's or the standard spelling) are
 * enabled as listed; rule strings such as nginx's default "HIGH:!aNULL:!MD5" select {@link #MODERN}:
 * forward-secret AEAD suites only (the providers' own defaults still carry CBC-SHA1 and static-RSA
 * suites).
 */
final class CipherList {
    private CipherList() {
    }

    /** TLS 1.3's suites, and ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2. */
    static final List<String> MODERN = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** The explicit suites named, or {@link #MODERN} when the value is only OpenSSL rules. */
    static List<String> explicit(String spec) {
        List<String> names = new ArrayList<>();
        for (String part : spec.split("[:, ]+")) {
            if (part.isEmpty() || isRule(part)) {
                continue;
            }
            names.add(javaName(part));
        }
        return names.isEmpty() ? MODERN : names;
    }

    /**
     * nginx configurations name suites in OpenSSL's spelling (ECDHE-RSA-AES128-GCM-SHA256); the TLS
     * providers' filter knows the standard names, so an OpenSSL name is translated, not dropped.
     */
    static String javaName(String name) {
        if (name.startsWith("TLS_") || name.startsWith("SSL_")) {
            return name;
        }
        String java = CipherSuiteConverter.toJava(name, "TLS");
        return java == null ? name : java;
    }

    private static boolean isRule(String part) {
        char c = part.charAt(0);
        if (c == '!' || c == '-' || c == '+' || c == '@') {
            return true;
        }
        return part.equals(part.toUpperCase()) && part.indexOf('-') < 0 && part.indexOf('_') < 0
                || part.equals("aNULL") || part.equals("eNULL") || part.equals("kEDH") || part.startsWith("aRSA")
                || part.startsWith("kRSA");
    }
}
