package io.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.TestTls;
import io.netty.handler.ssl.SslProvider;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resumption as a real client sees it: the JDK's TLS client keeps its sessions in its SSLContext and
 * offers them on its next connection, so a second connection with the same context is resumed when
 * Ferry's ssl_session_* lines allow it. Also the legacy ssl on and proxy_ssl_session_reuse.
 */
@Timeout(60)
class SslSessionIT {
    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static int cached;
    static int uncached;
    static int shortLived;
    static int legacy;
        static int proxy;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(TlsContexts.provider() == SslProvider.OPENSSL, "resumption is reported by BoringSSL only");
        cached = FerryInstance.freePort();
        uncached = FerryInstance.freePort();
        shortLived = FerryInstance.freePort();
        legacy = FerryInstance.freePort();
        proxy = FerryInstance.freePort();
        SelfSignedCertificates.write(prefix.resolve("conf/a.crt"), prefix.resolve("conf/a.key"), List.of("localhost"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
        ferry = FerryInstance.start(prefix, """
                events { }
                http {
                    ssl_certificate a.crt;
                    ssl_certificate_key a.key;
                    server {
                        listen 127.0.0.1:%1$d ssl;
                        ssl_protocols TLSv1.2;
                        ssl_session_cache builtin:100 shared:SSL:1m;
                        ssl_session_tickets off;
                        location / { return 200 "$ssl_session_reused $ssl_session_id"; }
                    }
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        ssl_session_cache off;
                        ssl_session_tickets off;
                        location / { return 200 "$ssl_session_reused"; }
                    }
                    server {
                        listen 127.0.0.1:%3$d ssl;
                        ssl_protocols TLSv1.2;
                        ssl_session_cache builtin;
                        ssl_session_tickets off;
                        ssl_session_timeout 2s;
                        location / { return 200 "$ssl_session_reused"; }
                    }
                    server {
                        listen 127.0.0.1:%4$d;
                        ssl on;
                        location / { return 200 "$ssl_protocol"; }
                    }
                    server {
                        listen 127.0.0.1:%5$d;
                        location /reuse/ {
                            proxy_pass https://127.0.0.1:%1$d/;
                        }
                        location /fresh/ {
                            proxy_pass https://127.0.0.1:%1$d/;
                            proxy_ssl_session_reuse off;
                        }
                    }
                }
                """.formatted(cached, uncached, shortLived, legacy, proxy));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ferry != null) {
            ferry.close();
        }
    }

    private static SSLContext client() {
        return TestTls.trusting(prefix.resolve("conf/a.crt"));
    }

    private static String body(SSLContext client, int port) throws Exception {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm(null);
            s.setSSLParameters(p);
            s.getOutputStream().write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    @Test
    void theSessionCacheResumesBySessionId() throws Exception {
        SSLContext client = client();
        String first = body(client, cached);
        assertThat(first).matches("\\. [0-9a-f]{64}");
        String second = body(client, cached);
        assertThat(second).matches("r [0-9a-f]{64}");
        assertThat(second.substring(2)).isEqualTo(first.substring(2));
    }

    @Test
    void withTheCacheAndTicketsOffEverySessionIsNew() throws Exception {
        SSLContext client = client();
        assertThat(body(client, uncached)).isEqualTo(".");
        assertThat(body(client, uncached)).isEqualTo(".");
    }

    @Test
    void aCachedSessionResumesWithinTheTimeoutOnly() throws Exception {
        SSLContext client = client();
        assertThat(body(client, shortLived)).isEqualTo(".");
        // the library counts a session's age in whole seconds: 2 s keeps a second crossed meanwhile from expiring it
        assertThat(body(client, shortLived)).isEqualTo("r");
        Thread.sleep(3100);
        assertThat(body(client, shortLived)).isEqualTo(".");
    }

    @Test
    void legacySslOnMakesThePlainListenTls() throws Exception {
        assertThat(body(client(), legacy)).startsWith("TLSv1.");
    }

    @Test
    void upstreamSessionsAreReusedUnlessTurnedOff() throws Exception {
        assertThat(proxied("/fresh/")).isEqualTo(".");
        assertThat(proxied("/fresh/")).isEqualTo(".");
        assertThat(proxied("/reuse/")).isEqualTo(".");
        assertThat(proxied("/reuse/")).isEqualTo("r");
        assertThat(proxied("/reuse/")).isEqualTo("r");
    }

    /** $ssl_session_reused as the upstream server saw it: the first character of its body. */
    private static String proxied(String path) throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy)) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return response.substring(response.indexOf("\r\n\r\n") + 4, response.indexOf("\r\n\r\n") + 5);
        }
    }
}
