package io.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.tls.TestCertificates.Issued;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Principal;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ssl_verify_client on|optional|optional_no_ca with ssl_client_certificate, ssl_trusted_certificate and
 * ssl_crl, through real handshakes with client certificates; nginx's 400 pages for a missing or bad
 * one; the $ssl_client_* variables.
 */
@Timeout(60)
class ClientCertificateIT {
    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static int on;
    static int noCa;
    static int optional;
    static Issued ca;
    static Issued other;
    static Issued client;
    static Issued revoked;
    static Issued otherClient;
    static Issued stranger;

    @BeforeAll
    static void start() throws Exception {
        ca = TestCertificates.root("CN=Ferry CA,O=Ferry");
        other = TestCertificates.root("CN=Other CA");
        client = TestCertificates.issue("CN=client,O=Ferry", ca, false);
        revoked = TestCertificates.issue("CN=revoked", other, false);
        otherClient = TestCertificates.issue("CN=other client", other, false);
        stranger = TestCertificates.root("CN=stranger");
        TestCertificates.write(prefix.resolve("conf/ca.crt"), ca.certificate());
        TestCertificates.write(prefix.resolve("conf/other.crt"), other.certificate());
        TestCertificates.write(prefix.resolve("conf/other.crl"), TestCertificates.crl(other, revoked.certificate()));
        SelfSignedCertificates.write(prefix.resolve("conf/a.crt"), prefix.resolve("conf/a.key"), List.of("a.test"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
        on = FerryInstance.freePort();
        noCa = FerryInstance.freePort();
        optional = FerryInstance.freePort();
        ferry = FerryInstance.start(prefix, """
                events { }
                http {
                    ssl_certificate a.crt;
                    ssl_certificate_key a.key;
                    ssl_client_certificate ca.crt;
                    server {
                        listen 127.0.0.1:%d ssl;
                        ssl_verify_client on;
                        location / { return 200 "$ssl_client_verify|$ssl_client_s_dn|$ssl_client_i_dn|$ssl_client_s_dn_legacy|$ssl_client_i_dn_legacy|$ssl_client_serial|$ssl_client_fingerprint|$ssl_client_v_remain|$ssl_client_v_end"; }
                        location /cert { return 200 "$ssl_client_cert"; }
                        location /raw { return 200 "$ssl_client_raw_cert"; }
                        location /escaped { return 200 "$ssl_client_escaped_cert"; }
                    }
                    server {
                        listen 127.0.0.1:%d ssl;
                        ssl_verify_client optional_no_ca;
                        location / { return 200 "$ssl_client_verify|$ssl_client_s_dn"; }
                    }
                    server {
                        listen 127.0.0.1:%d ssl;
                        ssl_verify_client optional;
                        ssl_trusted_certificate other.crt;
                        ssl_crl other.crl;
                        location / { return 200 "$ssl_client_verify"; }
                    }
                }
                """.formatted(on, noCa, optional));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ferry != null) {
            ferry.close();
        }
    }

    private static String get(int port, Issued cert, String path) throws Exception {
        return get(TestCertificates.client(cert), port, path);
    }

    private static String get(SSLContext context, int port, String path) throws Exception {
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: a.test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void aRequiredCertificateMissingIsNginxs400() throws Exception {
        String response = get(on, null, "/");
        assertThat(response).contains(" 400 ").contains("Connection: close")
                .contains("<title>400 No required SSL certificate was sent</title>");
    }

    @Test
    void aCertificateOfAnUnknownCaIsRefused() throws Exception {
        assertThat(get(on, stranger, "/")).contains(" 400 ").contains("The SSL certificate error");
    }

    @Test
    void theVerifiedCertificateInVariables() throws Exception {
        X509Certificate c = client.certificate();
        String[] v = body(get(on, client, "/")).split("\\|");
        assertThat(v[0]).isEqualTo("SUCCESS");
        assertThat(v[1]).isEqualTo(c.getSubjectX500Principal().getName(X500Principal.RFC2253)).contains("CN=client");
        assertThat(v[2]).isEqualTo(ca.certificate().getSubjectX500Principal().getName(X500Principal.RFC2253));
        String[] rdns = v[1].split(",");
        assertThat(v[3]).isEqualTo("/" + rdns[1] + "/" + rdns[0]);
        assertThat(v[4]).startsWith("/").contains("CN=Ferry CA").contains("O=Ferry");
        assertThat(v[5]).isEqualTo(String.format("%X", c.getSerialNumber()).length() % 2 == 0
                ? String.format("%X", c.getSerialNumber()) : "0" + String.format("%X", c.getSerialNumber()));
        assertThat(v[6]).matches("[0-9a-f]{40}");
        assertThat(v[7]).isIn("2", "3");
        assertThat(v[8]).matches("[A-Z][a-z]{2} [ 1-3][0-9] \\d\\d:\\d\\d:\\d\\d \\d{4} GMT");
    }

    @Test
    void thePemForms() throws Exception {
        String raw = body(get(on, client, "/raw"));
        assertThat(raw).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        assertThat(body(get(on, client, "/cert"))).isEqualTo(raw.substring(0, raw.length() - 1).replace("\n", "\n\t"));
        assertThat(body(get(on, client, "/escaped"))).startsWith("-----BEGIN%20CERTIFICATE-----%0A").doesNotContain("\n");
    }

    @Test
    void optionalNoCaTakesAnyCertificateAndSaysWhy() throws Exception {
        assertThat(body(get(noCa, stranger, "/"))).isEqualTo("FAILED:self-signed certificate|CN=stranger");
        assertThat(body(get(noCa, null, "/"))).isEqualTo("NONE|");
        assertThat(body(get(noCa, client, "/"))).isEqualTo("SUCCESS|" + client.certificate().getSubjectX500Principal()
                .getName(X500Principal.RFC2253));
    }

    @Test
    void trustedCertificatesVerifyWithoutBeingNamedAndCrlsRevoke() throws Exception {
        assertThat(body(get(optional, otherClient, "/"))).isEqualTo("SUCCESS");
        assertThat(body(get(optional, null, "/"))).isEqualTo("NONE");
        assertThat(get(optional, revoked, "/")).contains(" 400 ").contains("The SSL certificate error");
        // with ssl_crl every CA of the chain needs its CRL, as in nginx: ca.crt has none here
        assertThat(get(optional, client, "/")).contains(" 400 ").contains("The SSL certificate error");
        List<Principal> names = new ArrayList<>();
        get(TestCertificates.client(client, names), optional, "/");
        assertThat(names).containsExactly(ca.certificate().getSubjectX500Principal());
    }
}
