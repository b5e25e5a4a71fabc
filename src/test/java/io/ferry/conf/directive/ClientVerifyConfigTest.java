package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.VirtualServer;
import io.ferry.tls.ClientVerify;
import io.ferry.tls.SelfSignedCertificates;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssl_verify_client, ssl_client_certificate, ssl_trusted_certificate, ssl_verify_depth, ssl_crl: defaults, inheritance, errors. */
class ClientVerifyConfigTest {
    private static final String CERT = "ssl_certificate c.pem; ssl_certificate_key k.pem; ssl_self_signed on;\n";

    @TempDir
    Path dir;

    @BeforeEach
    void ca() throws Exception {
        SelfSignedCertificates.write(dir.resolve("ca.pem"), dir.resolve("ca.key"), List.of("ca.test"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
    }

    private VirtualServer server(String http, String server) throws Exception {
        return new ConfigText(dir).server(CERT + http + "\nserver { listen 8443 ssl; " + server + " }");
    }

    @Test
    void offByDefaultWithDepthOne() throws Exception {
        ClientVerify v = server("", "").tls().clientVerify();
        assertThat(v.enabled()).isFalse();
        assertThat(v.depth()).isEqualTo(1);
    }

    @Test
    void inheritedFromHttp() throws Exception {
        ClientVerify v = server("ssl_verify_client optional; ssl_client_certificate ca.pem; ssl_verify_depth 3;",
                "ssl_verify_client on;").tls().clientVerify();
        assertThat(v.mode()).isEqualTo(ClientVerify.Mode.ON);
        assertThat(v.depth()).isEqualTo(3);
        assertThat(v.sent()).hasSize(1);
        assertThat(v.trusted()).hasSize(1);
        ClientVerify trusted = server("ssl_trusted_certificate ca.pem;", "ssl_verify_client on;").tls().clientVerify();
        assertThat(trusted.sent()).isEmpty();
        assertThat(trusted.trusted()).hasSize(1);
    }

    @Test
    void nginxsErrors() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpError(CERT + "ssl_verify_client maybe; server { listen 8443 ssl; }").getMessage())
                .startsWith("invalid value \"maybe\" in ");
        assertThat(c.httpError(CERT + "server { listen 8443 ssl; ssl_verify_client on; }").getMessage())
                .startsWith("no ssl_client_certificate or ssl_trusted_certificate for ssl_verify_client");
        assertThat(c.httpError(CERT + "ssl_verify_client on; ssl_client_certificate missing.pem; server { listen 8443 ssl; }").getMessage())
                .startsWith("cannot load \"");
        assertThat(c.httpError(CERT + "ssl_verify_depth x; ssl_verify_client optional_no_ca; server { listen 8443 ssl; }").getMessage()).contains("invalid number");
        // optional_no_ca needs no CA
        assertThat(server("", "ssl_verify_client optional_no_ca;").tls().clientVerify().mode())
                .isEqualTo(ClientVerify.Mode.OPTIONAL_NO_CA);
    }

    @Test
    void onlyTheDefaultServerOfATlsAddressNeedsACertificate() throws Exception {
        ConfigText c = new ConfigText(dir);
        VirtualServer second = c.load("http { server { listen 8443 ssl; " + CERT + " } server { listen 8443 ssl; server_name b; } }")
                .http().servers().get(1);
        assertThat(second.tls().certificate()).isNull();
        assertThat(c.httpError("server { listen 8443 ssl; } server { listen 8443 ssl; " + CERT + " }").getMessage())
                .startsWith("no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive");
    }
}
