package io.ferry.tls;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;

/**
 * The server TLS settings read from files or chosen per handshake: ssl_reject_handshake,
 * ssl_ecdh_curve ({@code curves} null for "auto", the library's own list), ssl_session_ticket_key
 * (the first key encrypts, all decrypt) and ssl_password_file: {@code decryptedKey} is the
 * ssl_certificate_key opened with the first of its lines that fits, null without a password file.
 */
public record TlsOptions(boolean rejectHandshake, List<String> curves, List<TicketKeys.Key> ticketKeys,
        PrivateKey decryptedKey) {

    /**
     * Reads a configuration's key and password files once per directive, as nginx does: a directive
     * written at http level serves every server, and a password file may be a pipe that can be read
     * only once.
     */
    /** Key exchange groups in OpenSSL's names (lower case), the ones nginx's users write, to BoringSSL's. */
    private static final Map<String, String> BORING_GROUPS = Map.of(
            "prime256v1", "P-256", "secp256r1", "P-256", "p-256", "P-256",
            "secp384r1", "P-384", "p-384", "P-384",
            "secp521r1", "P-521", "p-521", "P-521",
            "x25519", "X25519");
    private static final Map<String, String> OPENSSL_GROUPS = Map.of(
            "P-256", "prime256v1", "P-384", "secp384r1", "P-521", "secp521r1", "X25519", "X25519");

    /** $ssl_curve: the group the key exchange used, in OpenSSL's name as nginx prints it; "" when the library does not say. */
    static String negotiatedCurve(SSLEngine engine) {
        if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
            synchronized (openSsl) {
                long ssl = openSsl.sslPointer();
                if (ssl != 0) {
                    try {
                        String name = SSL.getGroupName(ssl);
                        return name == null ? "" : OPENSSL_GROUPS.getOrDefault(name, name);
                    } catch (Exception e) {
                        return "";
                    }
                }
            }
        }
        return "";
    }

    public static final class Loader {
        private final Function<String, Path> resolve;
        private final Map<Directive, Object> read = new IdentityHashMap<>();
        private final Map<List<Directive>, PrivateKey> decrypted = new HashMap<>();

        public Loader(Function<String, Path> resolve) {
            this.resolve = resolve;
        }

        public TlsOptions parse(Function<String, Directive> inherited, Function<String, List<Directive>> inheritedAll)
                throws ConfException {
            Directive reject = inherited.apply("ssl_reject_handshake");
            List<TicketKeys.Key> keys = new ArrayList<>();
            for (Directive d : inheritedAll.apply("ssl_session_ticket_key")) {
                keys.add(ticketKey(d));
            }
            Directive password = inherited.apply("ssl_password_file");
            Directive key = inherited.apply("ssl_certificate_key");
            return new TlsOptions(reject != null && Values.flag(reject), curves(inherited.apply("ssl_ecdh_curve")),
                    List.copyOf(keys), password == null || key == null ? null : decrypted(key, password));
        }

        /** An ssl_certificate_key opened with the ssl_password_file in effect, null without one. */
        public PrivateKey decrypted(Directive key, Function<String, Directive> inherited) throws ConfException {
            Directive password = inherited.apply("ssl_password_file");
            return password == null ? null : decrypted(key, password);
        }

        /** Decrypting costs a key derivation per try: done once per key and password file, not per server. */
        private PrivateKey decrypted(Directive key, Directive password) throws ConfException {
            List<Directive> pair = List.of(key, password);
            PrivateKey known = decrypted.get(pair);
            if (known == null) {
                List<String> passwords = passwords(password);
                Path file = resolve.apply(key.args().get(0));
                try {
                    known = EncryptedKeys.read(file, passwords);
                } catch (IOException e) {
                    throw Values.error(key, "cannot load certificate key \"" + file + "\": " + e.getMessage());
                }
                decrypted.put(pair, known);
            }
            return known;
        }

        private TicketKeys.Key ticketKey(Directive d) throws ConfException {
            Object known = read.get(d);
            if (known == null) {
                byte[] bytes = bytes(d);
                known = TicketKeys.Key.of(bytes);
                if (known == null) {
                    throw Values.error(d, "\"" + resolve.apply(d.args().get(0)) + "\" must be 48 or 80 bytes");
                }
                read.put(d, known);
            }
            return (TicketKeys.Key) known;
        }

        @SuppressWarnings("unchecked")
        private List<String> passwords(Directive d) throws ConfException {
            Object known = read.get(d);
            if (known == null) {
                List<String> lines = new ArrayList<>();
                for (String line : new String(bytes(d), StandardCharsets.ISO_8859_1).split("\r?\n")) {
                    // nginx stops a password at the end of its line and ignores what is after the last one
                    if (!line.isEmpty()) {
                        lines.add(line);
                    }
                }
                if (lines.isEmpty()) {
                    throw Values.error(d, "empty file \"" + resolve.apply(d.args().get(0)) + "\"");
                }
                known = List.copyOf(lines);
                read.put(d, known);
            }
            return (List<String>) known;
        }

        private byte[] bytes(Directive d) throws ConfException {
            Path file = resolve.apply(d.args().get(0));
            try {
                return Files.readAllBytes(file);
            } catch (IOException e) {
                throw Values.error(d, "cannot open file \"" + file + "\" (" + e.getMessage() + ")");
            }
        }
    }

    /**
     * nginx passes the value to OpenSSL as a colon-separated list; BoringSSL knows the NIST curves by
     * their NIST names, so OpenSSL's spellings are translated.
     */
    private static List<String> curves(Directive d) throws ConfException {
        if (d == null || d.args().get(0).equals("auto")) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (String name : d.args().get(0).split(":")) {
            String group = BORING_GROUPS.get(name.toLowerCase(Locale.ROOT));
            if (group == null) {
                throw Values.error(d, "SSL_CTX_set1_curves_list(\"" + d.args().get(0) + "\") failed (unknown curve \""
                        + name + "\")");
            }
            names.add(group);
        }
        return List.copyOf(names);
    }
}
