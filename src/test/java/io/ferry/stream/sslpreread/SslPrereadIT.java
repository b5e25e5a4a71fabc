package io.ferry.stream.sslpreread;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.LogFiles;
import io.ferry.testing.OpenSslTool;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ssl_preread routing TLS by SNI without terminating it: openssl s_client gets the certificate of
 * the backend its name chose (two TLS backends, each with its own), the ClientHello's bytes reach
 * it intact, and what is not TLS goes to the default backend as it came.
 */
@Timeout(90)
class SslPrereadIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    Path conf;
    int front;
    int small;
    int slow;
    int plain;
    ServerSocket plainBackend;

    @BeforeEach
    void start() throws Exception {
        conf = prefix.resolve("conf");
        Files.createDirectories(conf);
        OpenSslTool.selfSigned(conf, "alpha");
        OpenSslTool.selfSigned(conf, "beta");
        plainBackend = closer.add(new ServerSocket(0));
        front = FerryInstance.freePort();
        small = FerryInstance.freePort();
        slow = FerryInstance.freePort();
        int alpha = FerryInstance.freePort();
        int beta = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                stream {
                    log_format pre "$ssl_preread_server_name|$ssl_preread_alpn_protocols|$ssl_preread_protocol|$upstream_addr|$status";
                    map $ssl_preread_server_name $backend {
                        alpha.test  127.0.0.1:%1$d;
                        beta.test   127.0.0.1:%2$d;
                        default     127.0.0.1:%3$d;
                    }
                    ssl_preread on;
                    server { listen 127.0.0.1:%4$d; proxy_pass $backend; access_log logs/front.log pre; }
                    server { listen 127.0.0.1:%5$d; proxy_pass $backend; preread_buffer_size 16; access_log logs/small.log pre; }
                    server { listen 127.0.0.1:%6$d; proxy_pass $backend; preread_timeout 300ms; access_log logs/slow.log pre; }
                    server {
                        listen 127.0.0.1:%1$d ssl; ssl_preread off;
                        ssl_certificate alpha.crt; ssl_certificate_key alpha.key;
                        return "alpha $ssl_server_name";
                    }
                    server {
                        listen 127.0.0.1:%2$d ssl; ssl_preread off;
                        ssl_certificate beta.crt; ssl_certificate_key beta.key;
                        return "beta $ssl_server_name";
                    }
                }
                """.formatted(alpha, beta, plainBackend.getLocalPort(), front, small, slow)));
    }

    /** s_client through the front: everything it printed, the peer certificate's subject and what the backend sent. */
    private String sClient(int port, String name, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("-servername", name));
        args.addAll(List.of(more));
        return OpenSslTool.sClient(prefix, port, args.toArray(String[]::new));
    }

    @Test
    void theNameChoosesTheBackendWhoseCertificateComesBack() throws Exception {
        String a = sClient(front, "alpha.test", "-alpn", "h2,http/1.1");
        assertThat(a).containsPattern("subject=CN ?= ?alpha").contains("alpha alpha.test");
        String b = sClient(front, "beta.test");
        assertThat(b).containsPattern("subject=CN ?= ?beta").contains("beta beta.test");
        List<String> log = LogFiles.awaitLines(prefix.resolve("logs/front.log"), 2);
        assertThat(log.get(0)).matches("alpha\\.test\\|h2,http/1\\.1\\|TLSv1\\.3\\|127\\.0\\.0\\.1:\\d+\\|200");
        assertThat(log.get(1)).matches("beta\\.test\\|\\|TLSv1\\.3\\|127\\.0\\.0\\.1:\\d+\\|200");
    }

    @Test
    void bytesThatAreNotTlsGoToTheDefaultAsTheyCame() throws Exception {
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (Socket s = plainBackend.accept()) {
                return s.getInputStream().readAllBytes();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        byte[] sent = "GET / HTTP/1.0\r\n\r\n".repeat(100).getBytes(StandardCharsets.US_ASCII);
        try (Socket c = new Socket("127.0.0.1", front)) {
            c.getOutputStream().write(sent);
            c.shutdownOutput();
            assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(sent);
        }
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/front.log"), 1).get(0)).as("not found, as nginx logs it").startsWith("-|-|-|127.0.0.1:");
    }

    @Test
    void aHelloLargerThanTheBufferEndsTheSessionWith400() throws Exception {
        assertThat(sClient(small, "alpha.test")).doesNotContain("alpha alpha.test");
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/small.log"), 1).get(0)).endsWith("|400");
    }

    @Test
    void afterPrereadTimeoutTheSessionGoesOnWithWhatCame() throws Exception {
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (Socket s = plainBackend.accept()) {
                InputStream in = s.getInputStream();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                got.write(in.readNBytes(3));
                return got.toByteArray();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (Socket c = new Socket("127.0.0.1", slow)) {
            // the start of a TLS record, and then nothing: the name never comes
            c.getOutputStream().write(new byte[] {0x16, 3, 1});
            assertThat(received.get(20, TimeUnit.SECONDS)).containsExactly(0x16, 3, 1);
        }
        assertThat(LogFiles.awaitLines(prefix.resolve("logs/slow.log"), 1).get(0)).startsWith("||");
    }
}
