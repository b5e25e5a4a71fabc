package io.ferry.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLEngine;

/**
 * Key exchange groups (ssl_ecdh_curve, $ssl_curve) in OpenSSL's names, the ones nginx's users write
 * and nginx prints, translated to and from BoringSSL's.
 */
final class TlsGroups {
    /** OpenSSL's name (lower case) to BoringSSL's. */
    private static final Map<String, String> BORING = Map.of(
            "prime256v1", "P-256", "secp256r1", "P-256", "p-256", "P-256",
            "secp384r1", "P-384", "p-384", "P-384",
            "secp521r1", "P-521", "p-521", "P-521",
            "x25519", "X25519");
    private static final Map<String, String> OPENSSL = Map.of(
            "P-256", "prime256v1", "P-384", "secp384r1", "P-521", "secp521r1", "X25519", "X25519");

    private TlsGroups() {
    }

    /** BoringSSL's name for a group nginx's configuration names, null for one it does not have. */
    static String boringName(String name) {
        return BORING.get(name.toLowerCase(Locale.ROOT));
    }

    /** $ssl_curve: the group the key exchange used, in OpenSSL's name; "" when the library does not say. */
    static String negotiated(SSLEngine engine) {
        if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
            synchronized (openSsl) {
                long ssl = openSsl.sslPointer();
                if (ssl != 0) {
                    try {
                        String name = SSL.getGroupName(ssl);
                        return name == null ? "" : OPENSSL.getOrDefault(name, name);
                    } catch (Exception e) {
                        return "";
                    }
                }
            }
        }
        return "";
    }
}
