package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.OpenSsl;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.TlsBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS towards upstreams against real TLS servers: JDK backends that report the SNI name and client
 * certificate they saw, and openssl s_server, which says whether each session was resumed.
 * Certificates are made by the openssl command line, as nginx's own tests make theirs.
 */
@Timeout(90)
class UpstreamTlsIT {
    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();
    final ErrorLogLines errors = closer.add(ErrorLogLines.capture());
    int port;

    private void start(String server) throws Exception {
        start("", server);
    }

    private void start(String http, String server) throws Exception {
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, "http { " + http + "\nserver { listen 127.0.0.1:" + port + ";\n" + server
                + "\n} }\n"));
    }

    private Path certificate(String name, String subject, String altNames) throws Exception {
        return OpenSsl.selfSigned(prefix.resolve("conf"), name, subject, altNames);
    }

    private String get(String path) throws IOException {
        try (RawHttpClient client = new RawHttpClient(port)) {
            RawHttpClient.Response r = client.get(path);
            return r.status() + " " + r.text();
        }
    }

    @Test
    void verifyAcceptsATrustedCertificateForTheNameAndRefusesOthersWith502() throws Exception {
        Path p12 = certificate("backend", "/CN=no.match.example.com", "DNS:example.com,DNS:*.example.com");
        certificate("other", "/CN=other.example.com", null);
        TlsBackend backend = closer.add(TlsBackend.start(p12, null));
        String up = "proxy_pass https://127.0.0.1:" + backend.port() + "; ";
        start("""
                proxy_ssl_verify on;
                proxy_ssl_trusted_certificate backend.crt;
                location /name { %1$s proxy_ssl_name example.com; }
                location /wildcard { %1$s proxy_ssl_name foo.example.com; }
                location /cn { %1$s proxy_ssl_name no.match.example.com; }
                location /untrusted { %1$s proxy_ssl_name example.com; proxy_ssl_trusted_certificate other.crt; }
                location /off { %1$s proxy_ssl_verify off; proxy_ssl_trusted_certificate other.crt; }
                """.formatted(up));
        assertThat(get("/name")).startsWith("200 ");
        assertThat(get("/wildcard")).startsWith("200 ");
        assertThat(get("/off")).startsWith("200 ");
        // the subject's name counts only where the certificate has no DNS names
        assertThat(get("/cn")).startsWith("502 ");
        assertThat(errors.count("upstream SSL certificate does not match \"no.match.example.com\" while SSL handshaking to upstream"))
                .isEqualTo(1);
        assertThat(get("/untrusted")).startsWith("502 ");
        assertThat(errors.count("upstream SSL certificate verify error: (18:self-signed certificate) while SSL handshaking to upstream"))
                .isEqualTo(1);
    }

    @Test
    void theBackendSeesProxySslNameAsSniOnlyWithServerNameOn() throws Exception {
        TlsBackend backend = closer.add(TlsBackend.start(certificate("backend", "/CN=backend", null), null));
        start("upstream backend { server 127.0.0.1:%d; }".formatted(backend.port()), """
                proxy_ssl_session_reuse off;
                location /name { proxy_pass https://127.0.0.1:%1$d; proxy_ssl_server_name on; proxy_ssl_name a.example.com:8443; }
                location /off { proxy_pass https://127.0.0.1:%1$d; proxy_ssl_name a.example.com; }
                location /group { proxy_pass https://backend; proxy_ssl_server_name on; }
                location /variable { proxy_pass https://127.0.0.1:%1$d; proxy_ssl_server_name on; proxy_ssl_name $arg_n; }
                location /ip { proxy_pass https://127.0.0.1:%1$d; proxy_ssl_server_name on; }
                """.formatted(backend.port()));
        assertThat(get("/name")).isEqualTo("200 sni=a.example.com;client=");
        assertThat(get("/off")).isEqualTo("200 sni=;client=");
        assertThat(get("/group")).isEqualTo("200 sni=backend;client=");
        assertThat(get("/variable?n=v.example.org")).isEqualTo("200 sni=v.example.org;client=");
        assertThat(get("/ip")).isEqualTo("200 sni=;client=");
    }

    @Test
    void aBackendThatRequiresAClientCertificateGetsProxySslCertificate() throws Exception {
        Path p12 = certificate("backend", "/CN=backend", null);
        Path conf = prefix.resolve("conf");
        OpenSsl.run(conf, "genrsa", "-aes128", "-passout", "pass:right", "-out", "client.key", "2048");
        OpenSsl.run(conf, "req", "-x509", "-new", "-key", "client.key", "-passin", "pass:right", "-subj", "/CN=client",
                "-days", "2", "-out", "client.crt");
        Files.writeString(conf.resolve("passwords"), "wrong\nright\n");
        TlsBackend backend = closer.add(TlsBackend.start(p12, conf.resolve("client.crt")));
        start("""
                proxy_ssl_session_reuse off;
                location /cert { proxy_pass https://127.0.0.1:%1$d; proxy_ssl_certificate client.crt;
                    proxy_ssl_certificate_key client.key; proxy_ssl_password_file passwords; }
                location /variable { proxy_pass https://127.0.0.1:%1$d; proxy_ssl_certificate $arg_c.crt;
                    proxy_ssl_certificate_key $arg_c.key; proxy_ssl_password_file passwords; }
                location /none { proxy_pass https://127.0.0.1:%1$d; }
                """.formatted(backend.port()));
        assertThat(get("/cert")).isEqualTo("200 sni=;client=CN=client");
        assertThat(get("/variable?c=client")).isEqualTo("200 sni=;client=CN=client");
        assertThat(get("/variable?c=missing")).startsWith("502 ");
        assertThat(errors.count("cannot load certificate")).isEqualTo(1);
        assertThat(get("/none")).startsWith("502 ");
    }

    @Test
    void sessionsAreResumedOnNewConnectionsUnlessReuseIsOff() throws Exception {
        certificate("backend", "/CN=backend", null);
        int sport = FerryInstance.freePort();
        closer.add(OpenSsl.wwwServer(prefix.resolve("conf"), "backend", sport));
        start("""
                location /reuse { proxy_pass https://127.0.0.1:%1$d/; }
                location /fresh { proxy_pass https://127.0.0.1:%1$d/; proxy_ssl_session_reuse off; }
                """.formatted(sport));
        assertThat(get("/reuse")).contains("New, ");
        assertThat(get("/reuse")).contains("Reused, ");
        assertThat(get("/reuse")).contains("Reused, ");
        assertThat(get("/fresh")).contains("New, ");
        assertThat(get("/fresh")).contains("New, ");
    }
}
