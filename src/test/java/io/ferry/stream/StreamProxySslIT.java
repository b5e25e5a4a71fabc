package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.OpenSsl;
import io.ferry.testing.TlsBackend;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * proxy_ssl on in stream against real TLS servers: the client speaks plain text, the upstream
 * connection TLS; SNI, verification, a client certificate, and resumed sessions as openssl
 * s_server reports them.
 */
@Timeout(90)
class StreamProxySslIT {
    @RegisterExtension
    final Closer closer = new Closer();
    final ErrorLogLines errors = closer.add(ErrorLogLines.capture());
    @TempDir
    Path prefix;

    /** A request through the stream server at {@code port}: what came back, empty when the session was cut. */
    private static String request(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void sniVerificationAndClientCertificateReachTheBackend() throws Exception {
        Path conf = prefix.resolve("conf");
        Path p12 = OpenSsl.selfSigned(conf, "backend", "/CN=backend", "DNS:up.example.com");
        OpenSsl.selfSigned(conf, "client", "/CN=client", null);
        OpenSsl.selfSigned(conf, "other", "/CN=other", null);
        TlsBackend backend = closer.add(TlsBackend.start(p12, conf.resolve("client.crt")));
        int named = FerryInstance.freePort();
        int mismatch = FerryInstance.freePort();
        int untrusted = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                stream {
                    proxy_ssl on;
                    proxy_ssl_certificate client.crt;
                    proxy_ssl_certificate_key client.key;
                    proxy_ssl_verify on;
                    proxy_ssl_trusted_certificate backend.crt;
                    server { listen 127.0.0.1:%1$d; proxy_pass 127.0.0.1:%4$d;
                        proxy_ssl_server_name on; proxy_ssl_name up.example.com; }
                    server { listen 127.0.0.1:%2$d; proxy_pass 127.0.0.1:%4$d; proxy_ssl_name down.example.com; }
                    server { listen 127.0.0.1:%3$d; proxy_pass 127.0.0.1:%4$d; proxy_ssl_name up.example.com;
                        proxy_ssl_trusted_certificate other.crt; }
                }
                """.formatted(named, mismatch, untrusted, backend.port())));
        assertThat(request(named)).startsWith("HTTP/1.1 200 OK").endsWith("sni=up.example.com;client=CN=client");
        assertThat(request(mismatch)).isEmpty();
        assertThat(errors.count("upstream SSL certificate does not match \"down.example.com\" while SSL handshaking to upstream"))
                .isEqualTo(1);
        assertThat(request(untrusted)).isEmpty();
        assertThat(errors.count("upstream SSL certificate verify error: (18:self-signed certificate) while SSL handshaking to upstream"))
                .isEqualTo(1);
    }

    @Test
    void sessionsAreResumedUnlessReuseIsOff() throws Exception {
        Path conf = prefix.resolve("conf");
        Files.createDirectories(conf);
        OpenSsl.selfSigned(conf, "backend", "/CN=backend", null);
        int upstream = FerryInstance.freePort();
        closer.add(OpenSsl.wwwServer(conf, "backend", upstream));
        int reuse = FerryInstance.freePort();
        int fresh = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                stream {
                    proxy_ssl on;
                    server { listen 127.0.0.1:%1$d; proxy_pass 127.0.0.1:%3$d; }
                    server { listen 127.0.0.1:%2$d; proxy_pass 127.0.0.1:%3$d; proxy_ssl_session_reuse off; }
                }
                """.formatted(reuse, fresh, upstream)));
        assertThat(request(reuse)).contains("New, ");
        assertThat(request(reuse)).contains("Reused, ");
        assertThat(request(fresh)).contains("New, ");
        assertThat(request(fresh)).contains("New, ");
    }
}
