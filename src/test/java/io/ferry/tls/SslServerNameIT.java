package io.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.TestTls;
import io.netty.handler.ssl.SslProvider;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * $ssl_server_name (what the client asked for by SNI, even a name no server has; empty without SNI)
 * and $ssl_session_reused.
 */
@Timeout(60)
class SslServerNameIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        SelfSignedCertificates.write(ferry.prefix().resolve("conf/a.crt"), ferry.prefix().resolve("conf/a.key"), List.of("a.test", "other.test"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
        ferry.start("""
                events { }
                http {
                    server {
                        listen 127.0.0.1:%d ssl;
                        server_name a.test;
                        ssl_certificate a.crt;
                        ssl_certificate_key a.key;
                        location / { return 200 "$server_name:$ssl_server_name"; }
                        location /reused { return 200 $ssl_session_reused; }
                    }
                }
                """.formatted(ferry.port()));
    }

    private static String body(String sni) throws Exception {
        return body(TestTls.trusting(ferry.prefix().resolve("conf/a.crt")), sni, "/");
    }

    private static String body(SSLContext client, String sni, String path) throws Exception {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", ferry.port())) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            p.setEndpointIdentificationAlgorithm(null);
            s.setSSLParameters(p);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: a.test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    @Test
    void theNameTheClientAskedFor() throws Exception {
        assertThat(body("a.test")).isEqualTo("a.test:a.test");
        assertThat(body("other.test")).isEqualTo("a.test:other.test");
    }

    @Test
    void emptyWithoutSni() throws Exception {
        assertThat(body(null)).isEqualTo("a.test:");
    }

    @Test
    void aResumedSessionReadsAsReusedWithOpenSsl() throws Exception {
        SSLContext client = TestTls.trusting(ferry.prefix().resolve("conf/a.crt"));
        assertThat(body(client, "a.test", "/reused")).isEqualTo(".");
        String second = body(client, "a.test", "/reused");
        // the JDK's engine cannot tell, so Ferry without OpenSSL says "." every time
        assertThat(second).isEqualTo(TlsContexts.provider() == SslProvider.OPENSSL ? "r" : ".");
    }
}
