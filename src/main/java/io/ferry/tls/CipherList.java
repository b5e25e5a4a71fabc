package io.ferry.tls;

import java.util.ArrayList;
import java.util.List;

/**
 * ssl_ciphers in OpenSSL's syntax. Concrete suite names are enabled as listed; rule strings such
 * as nginx's default "HIGH:!aNULL:!MD5" select the provider's default list, which already holds
 * only authenticated AEAD/strong suites.
 */
final class CipherList {
    private CipherList() {
    }

    /** The explicit suites named, or null to keep the provider's secure defaults. */
    static List<String> explicit(String spec) {
        List<String> names = new ArrayList<>();
        for (String part : spec.split("[:, ]+")) {
            if (part.isEmpty() || isRule(part)) {
                continue;
            }
            names.add(part);
        }
        return names.isEmpty() ? null : names;
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
