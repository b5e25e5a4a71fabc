package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import io.ferry.tls.TlsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssl_reject_handshake, ssl_ecdh_curve, ssl_session_ticket_key, ssl_password_file: defaults, inheritance, errors. */
class TlsOptionsConfigTest {
    private static final String CERT = "ssl_certificate c.pem; ssl_certificate_key k.pem; ssl_self_signed on;\n";
    private static final String SERVER = "\nserver { listen 8443 ssl; }";

    @TempDir
    Path dir;

    private VirtualServer server(String http, String server) throws Exception {
        return new ConfigText(dir).server(CERT + http + "\nserver { listen 8443 ssl; " + server + " }");
    }

    @Test
    void defaultsAreNginxs() throws Exception {
        TlsOptions o = server("", "").tls().options();
        assertThat(o.rejectHandshake()).isFalse();
        assertThat(o.curves()).isNull();
        assertThat(o.ticketKeys()).isEmpty();
        assertThat(o.decryptedKey()).isNull();
    }

    @Test
    void curvesAreTranslatedToTheLibrarysNames() throws Exception {
        assertThat(server("ssl_ecdh_curve prime256v1:X25519:secp384r1;", "").tls().options().curves())
                .containsExactly("P-256", "X25519", "P-384");
        assertThat(server("ssl_ecdh_curve prime256v1;", "ssl_ecdh_curve auto;").tls().options().curves()).isNull();
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpError(CERT + "ssl_ecdh_curve brainpool;" + SERVER).getMessage())
                .startsWith("SSL_CTX_set1_curves_list(\"brainpool\") failed");
    }

    @Test
    void ticketKeysKeepTheirOrderAndAServersOwnReplaceHttps() throws Exception {
        Files.write(dir.resolve("one.key"), "1".repeat(48).getBytes());
        Files.write(dir.resolve("two.key"), "2".repeat(80).getBytes());
        VirtualServer inherited = server("ssl_session_ticket_key one.key; ssl_session_ticket_key two.key;", "");
        assertThat(inherited.tls().options().ticketKeys()).hasSize(2);
        assertThat(inherited.tls().options().ticketKeys().get(0).name()).isEqualTo("1".repeat(16).getBytes());
        VirtualServer own = server("ssl_session_ticket_key one.key;", "ssl_session_ticket_key two.key;");
        assertThat(own.tls().options().ticketKeys()).hasSize(1);
        assertThat(own.tls().options().ticketKeys().get(0).name()).isEqualTo("2".repeat(16).getBytes());
    }

    @Test
    void aTicketKeyFileOfAnotherSizeIsRefused() throws Exception {
        Files.write(dir.resolve("short.key"), new byte[47]);
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpError(CERT + "ssl_session_ticket_key short.key;" + SERVER).getMessage())
                .isEqualTo(c.at("\"" + dir.resolve("short.key") + "\" must be 48 or 80 bytes", 3));
        assertThat(c.httpError(CERT + "ssl_session_ticket_key absent.key;" + SERVER).getMessage())
                .startsWith("cannot open file \"" + dir.resolve("absent.key") + "\"");
    }

    @Test
    void anEmptyPasswordFileIsRefused() throws Exception {
        Files.writeString(dir.resolve("empty"), "\n");
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpError(CERT + "ssl_password_file empty;" + SERVER).getMessage())
                .isEqualTo(c.at("empty file \"" + dir.resolve("empty") + "\"", 3));
    }

    @Test
    void aRejectingDefaultServerNeedsNoCertificate() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("server { listen 8443 ssl; ssl_reject_handshake on; }");
        assertThat(vs.tls().options().rejectHandshake()).isTrue();
        assertThat(vs.tls().certificate()).isNull();
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpError("ssl_reject_handshake sometimes;" + SERVER).getMessage())
                .startsWith("invalid value \"sometimes\" in \"ssl_reject_handshake\" directive");
    }
}
