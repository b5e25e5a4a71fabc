package io.ferry.tls;

import io.netty.channel.Channel;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.security.auth.x500.X500Principal;

/**
 * The TLS side of a client connection as nginx's $ssl_client_* variables show it: {@code verify} is
 * the client verification of the server that answers (a request's, chosen by Host).
 */
public record TlsPeer(Channel channel, SSLEngine engine, ClientVerify verify) {

    /** OpenSSL's short names where Java's RFC 2253 form would print an OID. */
    private static final Map<String, String> NAMES = Map.of("1.2.840.113549.1.9.1", "emailAddress",
            "2.5.4.5", "serialNumber", "2.5.4.42", "GN", "2.5.4.4", "SN", "2.5.4.12", "title");

    /** ASN1_TIME_print's form. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy 'GMT'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    public static final Map<String, Function<TlsPeer, String>> VARIABLES = Map.ofEntries(
            Map.entry("ssl_client_verify", p -> p.verify.result(p.channel, p.engine)),
            Map.entry("ssl_client_s_dn", p -> p.cert(c -> rfc2253(c.getSubjectX500Principal()))),
            Map.entry("ssl_client_i_dn", p -> p.cert(c -> rfc2253(c.getIssuerX500Principal()))),
            Map.entry("ssl_client_s_dn_legacy", p -> p.cert(c -> legacy(c.getSubjectX500Principal()))),
            Map.entry("ssl_client_i_dn_legacy", p -> p.cert(c -> legacy(c.getIssuerX500Principal()))),
            Map.entry("ssl_client_serial", p -> p.cert(TlsPeer::serial)),
            Map.entry("ssl_client_fingerprint", p -> p.cert(TlsPeer::fingerprint)),
            Map.entry("ssl_client_raw_cert", p -> p.cert(TlsPeer::pem)),
            Map.entry("ssl_client_cert", p -> p.cert(c -> {
                String pem = pem(c);
                return pem.substring(0, pem.length() - 1).replace("\n", "\n\t");
            })),
            Map.entry("ssl_client_escaped_cert", p -> p.cert(c -> URLEncoder.encode(pem(c), StandardCharsets.UTF_8)
                    .replace("+", "%20"))),
            Map.entry("ssl_client_v_start", p -> p.cert(c -> TIME.format(c.getNotBefore().toInstant()))),
            Map.entry("ssl_client_v_end", p -> p.cert(c -> TIME.format(c.getNotAfter().toInstant()))),
            Map.entry("ssl_client_v_remain", p -> p.cert(c -> remain(c.getNotAfter().toInstant()))),
            // BoringSSL does not keep the list the client offered; nginx built with it shows "" as well
            Map.entry("ssl_ciphers", p -> ""),
            Map.entry("ssl_curve", p -> TlsOptions.negotiatedCurve(p.engine)),
            // as $ssl_ciphers: the groups the client offered are not kept
            Map.entry("ssl_curves", p -> ""));

    /** The client's certificate through {@code f}, "" without one (nginx's value for a connection without it). */
    private String cert(Function<X509Certificate, String> f) {
        X509Certificate[] chain = ClientVerify.peer(engine);
        return chain.length == 0 ? "" : f.apply(chain[0]);
    }

    private static String rfc2253(X500Principal name) {
        return name.getName(X500Principal.RFC2253, NAMES);
    }

    /** X509_NAME_oneline: "/C=../CN=..", in the certificate's order (RFC 2253 lists it backwards). */
    private static String legacy(X500Principal name) {
        try {
            StringBuilder out = new StringBuilder();
            for (Rdn rdn : new LdapName(rfc2253(name)).getRdns()) {
                out.append('/').append(rdn.getType()).append('=').append(rdn.getValue());
            }
            return out.toString();
        } catch (InvalidNameException e) {
            return name.getName();
        }
    }

    /** Hex, upper case, a whole number of bytes, as i2a_ASN1_INTEGER prints it. */
    private static String serial(X509Certificate c) {
        BigInteger n = c.getSerialNumber();
        String hex = n.abs().toString(16).toUpperCase(Locale.ROOT);
        return (n.signum() < 0 ? "-" : "") + (hex.length() % 2 == 1 ? "0" + hex : hex);
    }

    private static String fingerprint(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            return "";
        }
    }

    private static String pem(X509Certificate c) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            return "";
        }
    }

    /** Whole days left, 0 within the last day or after expiry. */
    private static String remain(Instant end) {
        long seconds = end.getEpochSecond() - Instant.now().getEpochSecond();
        return seconds < 86400 ? "0" : Long.toString(seconds / 86400);
    }
}
