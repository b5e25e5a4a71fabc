package io.ferry.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** An if block inside a location inherits the enclosing location's fastcgi_pass. */
@Timeout(60)
class FastCgiIfBlockIT {
    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void aRequestMatchingTheIfStillGoesToTheApplication() throws Exception {
        FakeFastCgiServer fake = closer.add(new FakeFastCgiServer(r -> FakeFastCgiServer.Answer.of(
                "Content-Type: text/plain\r\n\r\napp " + r.params().get("REQUEST_URI"))));
        // the file a static answer would serve in the if block's place
        Files.createDirectories(prefix.resolve("html"));
        Files.writeString(prefix.resolve("html/page"), "static");
        int port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    server { listen 127.0.0.1:%d; root html;
                        location / { fastcgi_pass 127.0.0.1:%d; fastcgi_param REQUEST_URI $request_uri;
                            if ($arg_x) { set $y 1; } }
                    } }
                """.formatted(port, fake.port())));
        try (RawHttpClient client = new RawHttpClient(port)) {
            assertThat(client.get("/page?x=1").text()).isEqualTo("app /page?x=1");
            assertThat(client.get("/page").text()).isEqualTo("app /page");
        }
        assertThat(fake.requests).hasSize(2);
    }
}
