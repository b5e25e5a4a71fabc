package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.LogFiles;
import io.ferry.testing.OpenSslTool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream TLS termination with ssl_verify_client, by openssl s_client: a trusted client certificate
 * reaches the upstream, an untrusted one or none (where one is required) ends the session before
 * it (status 500), and the TLS variables in the access log say what the handshake settled.
 */
@Timeout(90)
class StreamTlsIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    Path conf;
    int required;
    int optional;
    int variables;

    @BeforeEach
    void start() throws Exception {
        conf = prefix.resolve("conf");
        java.nio.file.Files.createDirectories(conf);
        for (String name : new String[] {"server", "good", "bad"}) {
            OpenSslTool.selfSigned(conf, name);
        }
        TcpBackend backend = closer.add(TcpBackend.start(s -> s.getOutputStream().write("backend\n".getBytes(StandardCharsets.US_ASCII))));
        required = FerryInstance.freePort();
        optional = FerryInstance.freePort();
        variables = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                stream {
                    log_format v "$ssl_client_verify|$ssl_client_s_dn|$ssl_protocol|$ssl_server_name|$status";
                    ssl_certificate server.crt;
                    ssl_certificate_key server.key;
                    ssl_client_certificate good.crt;
                    server { listen 127.0.0.1:%d ssl; ssl_verify_client on; proxy_pass 127.0.0.1:%d; access_log logs/on.log v; }
                    server { listen 127.0.0.1:%d ssl; ssl_verify_client optional; proxy_pass 127.0.0.1:%d; access_log logs/opt.log v; }
                    server {
                        listen 127.0.0.1:%d ssl;
                        ssl_session_cache builtin;
                        return "<$ssl_session_reused|$ssl_session_id|$ssl_cipher|$ssl_protocol|$ssl_server_name>";
                    }
                }
                """.formatted(required, backend.port(), optional, backend.port(), variables)));
    }

    private String client(int port, String cert) throws Exception {
        return cert == null ? OpenSslTool.sClient(conf, port, "-servername", "stream.test")
                : OpenSslTool.sClient(conf, port, "-servername", "stream.test",
                        "-cert", conf.resolve(cert + ".crt").toString(), "-key", conf.resolve(cert + ".key").toString());
    }

    @Test
    void theVariablesOfANewAndOfAResumedSession() throws Exception {
        String session = conf.resolve("session.pem").toString();
        String first = OpenSslTool.sClient(conf, variables, "-servername", "stream.test", "-tls1_2", "-sess_out", session);
        assertThat(first).containsPattern("<\\.\\|([0-9a-f]{64})?\\|ECDHE-ECDSA-AES(128|256)-GCM-SHA(256|384)\\|TLSv1\\.2\\|stream\\.test>");
        String again = OpenSslTool.sClient(conf, variables, "-servername", "stream.test", "-tls1_2", "-sess_in", session);
        assertThat(again).as("resumed").containsPattern("<r\\|([0-9a-f]{64})?\\|ECDHE-ECDSA-AES(128|256)-GCM-SHA(256|384)\\|TLSv1\\.2\\|stream\\.test>");
    }

    @Test
    void aTrustedCertificateReachesTheUpstream() throws Exception {
        assertThat(client(required, "good")).contains("backend");
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/on.log"), 1))
                .singleElement().asString().matches("SUCCESS\\|CN=good\\|TLSv1\\.[23]\\|stream\\.test\\|200");
    }

    @Test
    void anUntrustedCertificateEndsTheSessionBeforeTheUpstream() throws Exception {
        assertThat(client(required, "bad")).doesNotContain("backend");
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/on.log"), 1))
                .singleElement().asString().startsWith("FAILED:self-signed certificate|CN=bad|").endsWith("|500");
        assertThat(client(optional, "bad")).as("optional refuses a certificate that fails, too").doesNotContain("backend");
    }

    @Test
    void noCertificateIsRefusedWhenRequiredAndAcceptedWhenOptional() throws Exception {
        assertThat(client(required, null)).doesNotContain("backend");
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/on.log"), 1)).singleElement().asString().startsWith("NONE||").endsWith("|500");
        assertThat(client(optional, null)).contains("backend");
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/opt.log"), 1)).singleElement().asString().startsWith("NONE||").endsWith("|200");
    }
}
