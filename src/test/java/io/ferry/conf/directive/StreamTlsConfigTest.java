package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.stream.StreamServer;
import io.ferry.testing.ConfigText;
import io.ferry.tls.ClientVerify;
import io.ferry.tls.SelfSignedCertificates;
import io.ferry.tls.TlsSessions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream block's ssl_* directives: read by the same code as http's, inherited from stream {} into its servers. */
class StreamTlsConfigTest {
    @TempDir
    Path dir;

    @BeforeEach
    void certificates() throws Exception {
        SelfSignedCertificates.write(dir.resolve("c.pem"), dir.resolve("k.pem"), List.of("stream.test"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
    }

    private StreamServer server(String stream, String server) throws Exception {
        return new ConfigText(dir).load("stream { ssl_certificate c.pem; ssl_certificate_key k.pem; " + stream
                + "\nserver { listen 9443 ssl; proxy_pass 127.0.0.1:7000; " + server + " } }").stream().servers().get(0);
    }

    @Test
    void defaultsAsNginxs() throws Exception {
        StreamServer s = server("", "");
        assertThat(s.tls().clientVerify().enabled()).isFalse();
        assertThat(s.tls().sessions().tickets()).isTrue();
        assertThat(s.tls().preferServerCiphers()).isFalse();
    }

    @Test
    void inheritedFromTheStreamBlockAndOverridden() throws Exception {
        StreamServer s = server("ssl_verify_client optional; ssl_client_certificate c.pem; ssl_verify_depth 2; "
                + "ssl_session_cache builtin:100; ssl_session_timeout 1m; ssl_session_tickets off; ssl_prefer_server_ciphers on;",
                "ssl_verify_client on; ssl_trusted_certificate c.pem;");
        ClientVerify v = s.tls().clientVerify();
        assertThat(v.mode()).isEqualTo(ClientVerify.Mode.ON);
        assertThat(v.depth()).isEqualTo(2);
        assertThat(v.sent()).hasSize(1);
        TlsSessions sessions = s.tls().sessions();
        assertThat(sessions.cache()).isEqualTo(TlsSessions.Cache.ON);
        assertThat(sessions.cacheSize()).isEqualTo(100);
        assertThat(sessions.timeoutSeconds()).isEqualTo(60);
        assertThat(sessions.tickets()).isFalse();
        assertThat(s.tls().preferServerCiphers()).isTrue();
    }

    @Test
    void nginxsErrors() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.error("stream { ssl_certificate c.pem; ssl_certificate_key k.pem; "
                + "server { listen 9443 ssl; proxy_pass 127.0.0.1:7000; ssl_verify_client on; } }").getMessage())
                .startsWith("no ssl_client_certificate or ssl_trusted_certificate for ssl_verify_client");
    }
}
