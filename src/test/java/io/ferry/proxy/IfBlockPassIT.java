package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** An if block inside a location is a location of its own that inherits the enclosing location's proxy_pass. */
@Timeout(60)
class IfBlockPassIT {
    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void aRequestMatchingTheIfIsStillProxied() throws Exception {
        HttpEchoBackend backend = closer.add(HttpEchoBackend.start());
        // the file a static answer would serve in the if block's place
        Files.createDirectories(prefix.resolve("html"));
        Files.writeString(prefix.resolve("html/page"), "static");
        int port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    server { listen 127.0.0.1:%d; root html;
                        location / { proxy_pass http://127.0.0.1:%d; add_header X-Y $y;
                            if ($arg_x) { set $y 1; } }
                    } }
                """.formatted(port, backend.port())));
        try (RawHttpClient client = new RawHttpClient(port)) {
            RawHttpClient.Response inIf = client.get("/page?x=1");
            assertThat(inIf.status()).isEqualTo(200);
            assertThat(inIf.text()).startsWith("GET /page?x=1");
            assertThat(inIf.header("X-Y")).isEqualTo("1");
            assertThat(client.get("/page").text()).startsWith("GET /page");
        }
        assertThat(backend.requests()).hasSize(2);
    }
}
