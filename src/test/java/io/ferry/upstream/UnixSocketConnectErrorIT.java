package io.ferry.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A unix socket peer that cannot be reached is logged as nginx logs it: connect() to a unix socket
 * fails at once, so the line names the socket and the errno, for a missing file as for a socket
 * nobody listens on.
 */
@Timeout(60)
class UnixSocketConnectErrorIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    @TempDir
    static Path sockets;
    static int port;
    static String missing;
    static String refused;

    @BeforeAll
    static void start() throws Exception {
        missing = sockets.resolve("missing.sock").toString();
        refused = sockets.resolve("refused.sock").toString();
        // a socket file left behind by a listener that is gone: connect() is refused
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(refused));
        }
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                events { }
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        location /proxy/missing { proxy_pass http://unix:%2$s; }
                        location /proxy/refused { proxy_pass http://unix:%3$s; }
                        location /fastcgi/missing { fastcgi_pass unix:%2$s; }
                    }
                }
                """.formatted(port, missing, refused)));
    }

    private static String failedLine(String target) throws Exception {
        try (ErrorLogLines log = ErrorLogLines.capture()) {
            assertThat(RawHttpClient.getOnce(port, target).status()).isEqualTo(502);
            return log.lines().stream().filter(l -> l.contains("connect()")).findFirst().orElseThrow();
        }
    }

    @Test
    void aMissingSocketFileIsNamedWithENOENT() throws Exception {
        assertThat(failedLine("/proxy/missing")).contains("connect() to unix:" + missing
                + " failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1")
                .contains("upstream: \"http://unix:" + missing + ":/proxy/missing\"");
        assertThat(failedLine("/fastcgi/missing")).contains("connect() to unix:" + missing
                + " failed (2: No such file or directory) while connecting to upstream")
                .contains("upstream: \"fastcgi://unix:" + missing + ":\"");
    }

    @Test
    void aSocketNobodyListensOnIsRefused() throws Exception {
        assertThat(failedLine("/proxy/refused")).contains("connect() to unix:" + refused
                + " failed (111: Connection refused) while connecting to upstream");
    }
}
