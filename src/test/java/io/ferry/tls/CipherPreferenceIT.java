package io.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.TestTls;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssl_prefer_server_ciphers: whose order of TLS 1.2 suites decides, the server's (on) or the client's (off, nginx's default). */
class CipherPreferenceIT {
    private static final String AES128 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    private static final String AES256 = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";

    @TempDir
    Path prefix;

    private static String negotiated(SSLContext client, int port) throws Exception {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm(null);
            p.setProtocols(new String[] {"TLSv1.2"});
            p.setCipherSuites(new String[] {AES256, AES128});
            p.setUseCipherSuitesOrder(true);
            s.setSSLParameters(p);
            s.startHandshake();
            return s.getSession().getCipherSuite();
        }
    }

    @Test
    void theServersOrderWinsOnlyWhenPreferred() throws Exception {
        assumeTrue(TlsContexts.provider() == SslProvider.OPENSSL, "the preference is an option of OpenSSL's connections");
        int on = FerryInstance.freePort();
        int off = FerryInstance.freePort();
        SelfSignedCertificates.write(prefix.resolve("conf/a.crt"), prefix.resolve("conf/a.key"), List.of("localhost"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
        try (FerryInstance ignored = FerryInstance.start(prefix, """
                http {
                    ssl_certificate a.crt;
                    ssl_certificate_key a.key;
                    ssl_protocols TLSv1.2;
                    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384;
                    server { listen 127.0.0.1:%d ssl; ssl_prefer_server_ciphers on; location / { return 200; } }
                    server { listen 127.0.0.1:%d ssl; location / { return 200; } }
                }
                """.formatted(on, off))) {
            SSLContext client = TestTls.trusting(prefix.resolve("conf/a.crt"));
            assertThat(negotiated(client, on)).isEqualTo(AES128);
            assertThat(negotiated(client, off)).isEqualTo(AES256);
        }
    }
}
