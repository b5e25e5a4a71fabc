package io.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.tls.TestCertificates.Issued;
import java.security.cert.CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** $ssl_client_verify's verdicts: OpenSSL's chain rules, ssl_verify_depth and ssl_crl, in OpenSSL's words. */
class ClientVerifyTest {
    static Issued root;
    static Issued intermediate;
    static Issued client;
    static Issued end;

    @BeforeAll
    static void issue() throws Exception {
        root = TestCertificates.root("CN=root");
        intermediate = TestCertificates.issue("CN=int", root, true);
        client = TestCertificates.issue("CN=client", root, false);
        end = TestCertificates.issue("CN=end", intermediate, false);
    }

    private static ClientVerify verify(int depth, List<CRL> crls, Issued... trusted) {
        List<X509Certificate> certs = java.util.Arrays.stream(trusted).map(Issued::certificate).toList();
        return new ClientVerify(ClientVerify.Mode.ON, certs, certs, depth, crls);
    }

    private static X509Certificate[] chain(Issued... sent) {
        return java.util.Arrays.stream(sent).map(Issued::certificate).toArray(X509Certificate[]::new);
    }

    @Test
    void noCertificateIsNone() {
        assertThat(verify(1, List.of(), root).verify(new X509Certificate[0])).isEqualTo("NONE");
    }

    @Test
    void aCertificateOfAConfiguredCaSucceeds() {
        assertThat(verify(1, List.of(), root).verify(chain(client))).isEqualTo("SUCCESS");
        assertThat(verify(0, List.of(), root).verify(chain(root))).isEqualTo("SUCCESS");
    }

    @Test
    void unknownIssuersFailAsOpenSslSays() throws Exception {
        Issued stranger = TestCertificates.root("CN=stranger");
        assertThat(verify(1, List.of(), root).verify(chain(stranger))).isEqualTo("FAILED:self-signed certificate");
        assertThat(verify(1, List.of(), root).verify(chain(end))).isEqualTo("FAILED:unable to get local issuer certificate");
        assertThat(verify(1, List.of(), stranger).verify(chain(end, intermediate, root)))
                .isEqualTo("FAILED:self-signed certificate in certificate chain");
    }

    @Test
    void intermediatesCountAgainstTheDepth() {
        assertThat(verify(0, List.of(), root, intermediate).verify(chain(end))).isEqualTo("FAILED:certificate chain too long");
        assertThat(verify(1, List.of(), root, intermediate).verify(chain(end))).isEqualTo("SUCCESS");
        // an intermediate the client sends completes the chain as well as a configured one
        assertThat(verify(1, List.of(), root).verify(chain(end, intermediate))).isEqualTo("SUCCESS");
    }

    @Test
    void expiredCertificatesFail() throws Exception {
        Issued old = TestCertificates.issue("CN=old", root, false, Instant.now().minus(Duration.ofDays(10)), Duration.ofDays(1));
        assertThat(verify(1, List.of(), root).verify(chain(old))).isEqualTo("FAILED:certificate has expired");
    }

    @Test
    void crlsRevokeClientsAndCas() throws Exception {
        assertThat(verify(1, List.of(TestCertificates.crl(root)), root).verify(chain(client))).isEqualTo("SUCCESS");
        assertThat(verify(1, List.of(TestCertificates.crl(root, client.certificate())), root).verify(chain(client)))
                .isEqualTo("FAILED:certificate revoked");
        assertThat(verify(2, List.of(TestCertificates.crl(root, intermediate.certificate()),
                TestCertificates.crl(intermediate)), root, intermediate).verify(chain(end)))
                .isEqualTo("FAILED:certificate revoked");
        // every certificate of the chain needs its issuer's CRL
        assertThat(verify(2, List.of(TestCertificates.crl(root)), root, intermediate).verify(chain(end)))
                .isEqualTo("FAILED:unable to get certificate CRL");
    }
}
