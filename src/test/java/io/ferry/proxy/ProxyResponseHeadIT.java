package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Response heads nginx refuses or trims: an unknown Transfer-Encoding, a repeated single-valued header. */
@Timeout(60)
class ProxyResponseHeadIT {
    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();
    final ErrorLogLines errors = closer.add(ErrorLogLines.capture());

    private RawHttpClient.Response get(String answer) throws Exception {
        SocketBackend b = closer.add(SocketBackend.start(s -> {
            SocketBackend.readHead(s.getInputStream());
            SocketBackend.write(s, answer);
        }));
        int port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, "http { server { listen 127.0.0.1:" + port
                + "; location / { proxy_pass http://127.0.0.1:" + b.port() + "; } } }"));
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.get("/");
        }
    }

    @Test
    void unknownTransferEncodingIsABadGateway() throws Exception {
        assertThat(get("HTTP/1.1 200 OK\r\nTransfer-Encoding: foo\r\n\r\nbody").status()).isEqualTo(502);
        assertThat(errors.count("upstream sent unknown \"Transfer-Encoding\": \"foo\"")).isEqualTo(1);
    }

    @Test
    void aRepeatedExpiresKeepsTheFirstAndWarns() throws Exception {
        RawHttpClient.Response r = get("HTTP/1.1 200 OK\r\nExpires: foo\r\nExpires: bar\r\nX-Multi: 1\r\nX-Multi: 2\r\n"
                + "Content-Length: 2\r\n\r\nok");
        assertThat(r.all("Expires")).containsExactly("foo");
        assertThat(r.all("X-Multi")).containsExactly("1", "2");
        assertThat(errors.count("upstream sent duplicate header line: \"Expires: bar\", previous value: \"Expires: foo\"")).isEqualTo(1);
    }
}
