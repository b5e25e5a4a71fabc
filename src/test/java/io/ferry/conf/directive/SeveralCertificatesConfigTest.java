package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.model.VirtualServer;
import io.ferry.stream.StreamServer;
import io.ferry.testing.ConfigText;
import io.ferry.tls.SelfSignedCertificates;
import io.ferry.tls.SelfSignedCertificates.KeyEncoding;
import io.ferry.tls.SelfSignedCertificates.KeyType;
import io.ferry.tls.Tls;
import io.ferry.tls.Tls.ServerCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ssl_certificate and ssl_certificate_key given more than once, in http and stream: pairs by rank,
 * inherited as a whole list, and errors naming file and line; the stream rows of ssl_password_file,
 * ssl_ecdh_curve and ssl_session_ticket_key.
 */
class SeveralCertificatesConfigTest {
    private static final String RSA = "ssl_certificate rsa.crt; ssl_certificate_key rsa.key;\n";
    private static final String EC = "ssl_certificate ec.crt; ssl_certificate_key ec.key;\n";

    @TempDir
    Path dir;

    @BeforeEach
    void certificates() {
        SelfSignedCertificates.write(dir.resolve("rsa.crt"), dir.resolve("rsa.key"), List.of("localhost"), KeyType.RSA_2048,
                KeyEncoding.PKCS8);
        SelfSignedCertificates.write(dir.resolve("ec.crt"), dir.resolve("ec.key"), List.of("localhost"), KeyType.EC_P256,
                KeyEncoding.TRADITIONAL);
    }

    private List<Path> certificates(Tls tls) {
        return tls.certificates().stream().map(ServerCertificate::certificate).map(p -> p.getFileName()).toList();
    }

    @Test
    void pairsKeepTheirOrderAndTheFirstIsTheServersCertificate() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("server { listen 8443 ssl;\n" + EC + RSA + "}");
        assertThat(certificates(vs.tls())).containsExactly(Path.of("ec.crt"), Path.of("rsa.crt"));
        assertThat(vs.tls().certificates().get(1).key().getFileName()).isEqualTo(Path.of("rsa.key"));
        assertThat(vs.tls().certificate().getFileName()).isEqualTo(Path.of("ec.crt"));
    }

    @Test
    void aServersOwnListReplacesTheInheritedOneWhole() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(certificates(c.server(EC + RSA + "server { listen 8443 ssl; }").tls()))
                .containsExactly(Path.of("ec.crt"), Path.of("rsa.crt"));
        assertThat(certificates(c.server(EC + RSA + "server { listen 8443 ssl; " + RSA + "}").tls()))
                .containsExactly(Path.of("rsa.crt"));
        assertThat(certificates(c.server("server { listen 8443 ssl; " + RSA + "}").tls())).hasSize(1);
    }

    @Test
    void aCertificateWithoutItsKeyNamesTheServer() throws Exception {
        ConfigText c = new ConfigText(dir);
        ConfException e = c.httpError("server {\nlisten 8443 ssl;\n" + EC + "ssl_certificate rsa.crt;\n}");
        assertThat(e.detail()).isEqualTo("no \"ssl_certificate_key\" is defined for certificate \"rsa.crt\"");
        assertThat(e.file()).isEqualTo(c.file().toString());
        assertThat(e.line()).isEqualTo(2);
    }

    @Test
    void aMissingSecondFileNamesItsDirective() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpErrorAt("server {\nlisten 8443 ssl;\n" + EC + "ssl_certificate rsa.crt;\nssl_certificate_key none.key;\n}"))
                .startsWith("cannot load certificate \"" + dir.resolve("none.key") + "\"").endsWith(":5");
    }

    @Test
    void streamTakesSeveralCertificatesAndTheOptionsHttpHas() throws Exception {
        Files.write(dir.resolve("ticket.key"), "t".repeat(48).getBytes());
        StreamServer s = new ConfigText(dir).load("stream {\nssl_ecdh_curve secp384r1;\nssl_session_ticket_key ticket.key;\n"
                + "server { listen 127.0.0.1:9443 ssl; " + RSA + EC + "return x; }\n}\n").stream().servers().get(0);
        assertThat(certificates(s.tls())).containsExactly(Path.of("rsa.crt"), Path.of("ec.crt"));
        assertThat(s.tls().options().curves()).containsExactly("P-384");
        assertThat(s.tls().options().ticketKeys()).hasSize(1);
        ConfException e = new ConfigText(dir).error("stream {\nserver {\nlisten 127.0.0.1:9443 ssl;\n" + RSA
                + "ssl_certificate ec.crt;\nreturn x;\n}\n}\n");
        assertThat(e.detail()).isEqualTo("no \"ssl_certificate_key\" is defined for certificate \"ec.crt\"");
        assertThat(e.line()).isEqualTo(2);
    }

    @Test
    void thePasswordFileOpensEachKey() throws Exception {
        Process p = new ProcessBuilder("openssl", "pkcs8", "-topk8", "-in", "rsa.key", "-passout", "pass:secret", "-out",
                "locked.key").directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        Files.writeString(dir.resolve("passwords"), "wrong\nsecret\n");
        String locked = "ssl_certificate rsa.crt;\nssl_certificate_key locked.key;\n";
        StreamServer s = new ConfigText(dir).load("stream {\nssl_password_file passwords;\n"
                + "server { listen 127.0.0.1:9443 ssl; " + EC + locked + "return x; }\n}\n").stream().servers().get(0);
        assertThat(s.tls().certificates().get(0).decryptedKey()).isNotNull();
        assertThat(s.tls().certificates().get(1).decryptedKey()).isNotNull();
        Files.writeString(dir.resolve("passwords"), "wrong\n");
        ConfException e = new ConfigText(dir).error("stream {\nssl_password_file passwords;\n"
                + "server { listen 127.0.0.1:9443 ssl;\n" + EC + locked + "return x; }\n}\n");
        assertThat(e.detail()).startsWith("cannot load certificate key \"" + dir.resolve("locked.key") + "\"");
        assertThat(e.line()).isEqualTo(6);
    }
}
