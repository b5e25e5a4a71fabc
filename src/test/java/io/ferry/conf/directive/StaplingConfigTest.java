package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.VirtualServer;
import io.ferry.tls.SelfSignedCertificates;
import io.ferry.tls.ocsp.Stapling;
import io.ferry.testing.ConfigText;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssl_stapling, ssl_stapling_file, ssl_stapling_responder, ssl_stapling_verify: defaults, inheritance, errors. */
class StaplingConfigTest {
    private static final String CERT = "ssl_certificate c.pem; ssl_certificate_key k.pem; ssl_self_signed on;\n";

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        SelfSignedCertificates.write(dir.resolve("ca.pem"), dir.resolve("ca.key"), List.of("ca.test"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
        Files.write(dir.resolve("resp.der"), new byte[] {0x30, 0x03, 0x0a, 0x01, 0x06});
    }

    private Stapling stapling(String http, String server) throws Exception {
        VirtualServer vs = new ConfigText(dir).server(CERT + http + "\nserver { listen 8443 ssl; " + server + " }");
        return vs.tls().stapling();
    }

    @Test
    void offByDefault() throws Exception {
        assertThat(stapling("", "")).isEqualTo(Stapling.OFF);
        assertThat(stapling("ssl_stapling_verify on; ssl_stapling_responder http://r.test/;", "").on()).isFalse();
    }

    @Test
    void inheritedFromHttpAndOverriddenByTheServer() throws Exception {
        Stapling s = stapling("ssl_stapling on; ssl_stapling_responder http://127.0.0.1:8081/ocsp;"
                + " ssl_trusted_certificate ca.pem;", "ssl_stapling_verify on;");
        assertThat(s.on()).isTrue();
        assertThat(s.verify()).isTrue();
        assertThat(s.responder()).isEqualTo(URI.create("http://127.0.0.1:8081/ocsp"));
        assertThat(s.trusted()).hasSize(1);
        assertThat(s.file()).isNull();
        Stapling file = stapling("ssl_stapling on; ssl_stapling_file resp.der;", "");
        assertThat(file.file()).isEqualTo(dir.resolve("resp.der"));
        assertThat(file.verify()).isFalse();
        assertThat(stapling("ssl_stapling on;", "ssl_stapling off;").on()).isFalse();
    }

    @Test
    void nginxsErrors() throws Exception {
        ConfigText c = new ConfigText(dir);
        String server = "server { listen 8443 ssl; }";
        assertThat(c.httpError(CERT + "ssl_stapling maybe; " + server).getMessage())
                .startsWith("invalid value \"maybe\" in ");
        assertThat(c.httpError(CERT + "ssl_stapling on; ssl_stapling_responder https://r.test/; " + server).getMessage())
                .startsWith("invalid URL prefix in OCSP responder \"https://r.test/\" in \"ssl_stapling_responder\"");
        assertThat(c.httpError(CERT + "ssl_stapling on; ssl_stapling_file missing.der; " + server).getMessage())
                .startsWith("cannot open \"").contains("missing.der");
        assertThat(c.httpErrorAt(CERT + "ssl_stapling on;\nssl_stapling_verify yes; " + server))
                .startsWith("invalid value \"yes\" in \"ssl_stapling_verify\"").endsWith(":3");
        assertThat(c.httpError(CERT + "ssl_stapling on; ssl_stapling on; " + server).getMessage())
                .startsWith("\"ssl_stapling\" directive is duplicate");
    }
}
