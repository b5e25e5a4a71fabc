package io.ferry.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** fastcgi_pass with variables: an upstream name, an address, and a name with neither group nor resolver. */
@Timeout(60)
class FastCgiPassVariablesIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static FakeFastCgiServer fake;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        fake = closer.add(new FakeFastCgiServer(r -> FakeFastCgiServer.Answer.of(
                "Content-Type: text/plain\r\n\r\nfake " + r.params().get("REQUEST_URI"))));
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                events { }
                http {
                    upstream u { server 127.0.0.1:%2$d; }
                    server {
                        listen 127.0.0.1:%1$d;
                        location / {
                            fastcgi_pass $arg_b;
                            fastcgi_param REQUEST_URI $request_uri;
                        }
                    }
                }
                """.formatted(port, fake.port())));
    }

    private static RawHttpClient.Response get(String target) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.get(target);
        }
    }

    @Test
    void anUpstreamNameOrAnAddressServes() throws Exception {
        RawHttpClient.Response named = get("/x?b=u");
        assertThat(named.status()).isEqualTo(200);
        assertThat(new String(named.body(), StandardCharsets.ISO_8859_1)).isEqualTo("fake /x?b=u");
        String address = "/y?b=127.0.0.1:" + fake.port();
        assertThat(get(address).text()).isEqualTo("fake " + address);
    }

    @Test
    void aNameWithoutResolverIs502AndNoPortIs500() throws Exception {
        try (ErrorLogLines log = ErrorLogLines.capture()) {
            assertThat(get("/?b=elsewhere.test:9000").status()).isEqualTo(502);
            assertThat(log.count("no resolver defined to resolve elsewhere.test")).isEqualTo(1);
            assertThat(get("/?b=elsewhere.test").status()).isEqualTo(500);
            assertThat(log.count("no port in upstream \"elsewhere.test\"")).isEqualTo(1);
        }
    }
}
